"""Shapes every resource shares: input base, pages, problems, places."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from functools import cache
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args, get_origin

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from service.domain.identity import mask_name, mask_phone
from service.domain.partners import distinct

# Hangzhou division codes by level (NBS statistical codes, ASCII digits).
DISTRICT_CODE = r"^3301[0-9]{2}$"
TOWNSHIP_CODE = r"^3301[0-9]{5}$"
COMMUNITY_CODE = r"^3301[0-9]{8}$"
ANY_DIVISION_CODE = r"^3301(?:[0-9]{2}(?:[0-9]{3}(?:[0-9]{3})?)?)?$"

# One line of text: no control characters (NUL included), at least one visible character.
SINGLE_LINE = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"


# Every date and instant a caller sends, in bodies and in query parameters alike, is one of the
# two types below: written out (a bare number is not read as Unix time) and within what the
# database stores and the service computes with. That is Python's range (years 1 to 9999) less
# a day at either end, so that every instant has a date in China time, and every date a day
# before and after it: `9999-12-31T23:59:59-12:00` is refused here, not overflowed in a query.
EARLIEST_DAY, LATEST_DAY = date(1, 1, 2), date(9999, 12, 30)
_WRITTEN_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_WRITTEN_INSTANT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")
_RANGE = f"from {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}"


def written_date(value: object) -> object:
    """Dates are written out as YYYY-MM-DD; numbers (Unix time) and date-times are refused."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _WRITTEN_DATE.match(value):
        return value
    raise ValueError("a calendar date written YYYY-MM-DD, e.g. 2025-01-01")


def storable_date(value: date) -> date:
    """A date the service can store and step a day from."""
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"a date {_RANGE}")
    return value


def written_instant(value: object) -> object:
    """Instants are written out in ISO 8601: a bare number is not read as Unix time."""
    if isinstance(value, datetime) or (
        isinstance(value, str) and _WRITTEN_INSTANT.match(value) is not None
    ):
        return value
    raise ValueError("an ISO 8601 date-time with an offset, e.g. 2026-03-01T09:00:00+08:00")


def storable_instant(value: datetime) -> datetime:
    """An instant the service can store and date anywhere, as UTC."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST_DAY <= utc.date() <= LATEST_DAY:
        raise ValueError(f"a date-time {_RANGE} (UTC)")
    return utc


CalendarDate = Annotated[
    date,
    BeforeValidator(written_date),
    AfterValidator(storable_date),
    Field(examples=["2026-03-01"]),
]
Instant = Annotated[
    AwareDatetime,
    BeforeValidator(written_instant),
    AfterValidator(storable_instant),
    Field(
        description="ISO 8601 with an offset (`Z` or `+08:00`); a naive time or a number is"
        " refused.",
        examples=["2026-03-01T09:00:00+08:00"],
    ),
]


Name = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=SINGLE_LINE)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=SINGLE_LINE)]
Address = Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=SINGLE_LINE)]
Description = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=SINGLE_LINE)]


PersonName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=SINGLE_LINE)]
Phone = Annotated[
    str,
    StringConstraints(pattern=r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?)$"),
    Field(description="Mobile (11 digits) or landline with area code.", examples=["0571-87654321"]),
]
MaskedPhone = Annotated[
    str,
    PlainSerializer(mask_phone, return_type=str),
    Field(description="Mobiles are masked (`138****5678`); institutions' landlines are not."),
]
DivisionCode = Annotated[str, StringConstraints(pattern=ANY_DIVISION_CODE)]
ServiceArea = Annotated[
    list[DivisionCode],
    Field(
        max_length=200,
        description="Hangzhou division codes at any level: a district covers its townships and"
        " communities.",
        examples=[["330106", "330102001"]],
    ),
    AfterValidator(distinct),
]


class Input(BaseModel):
    """Base of every request body: unknown fields (`id`, `version` …) are refused, and so is
    `true`, `false` or `"5"` where the contract says number (pydantic would read 1, 0 and 5)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool | str) and info.field_name in _numeric_fields(cls):
            kind = "a boolean" if isinstance(value, bool) else "a string"
            raise ValueError(f"a number is required, not {kind}")
        return value


def _is_number(annotation: Any) -> bool:
    """Whether a field's type is a number (int or float, optional or annotated)."""
    if annotation in (int, float):
        return True
    members = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is Annotated:
        members = members[:1]
    return bool(members) and all(_is_number(member) for member in members)


@cache
def _numeric_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(
        name for name, field in model.model_fields.items() if _is_number(field.annotation)
    )


class Output(BaseModel):
    """Base of every response body."""

    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class NoBody(Input):
    """An action without a body: its `Idempotency-Key` fingerprint covers the method and path
    alone (`service.http.routing.action_key`)."""


class Page(BaseModel, Generic[T]):
    """One page of a collection; follow `next_page_token` until it is null."""

    items: list[T]
    next_page_token: str | None = Field(
        default=None, description="Pass as `page_token` for the next page; null on the last page."
    )


class StewardRead(Output):
    """Who keeps a partner record: the station or organisation whose client registered it."""

    type: Literal["station", "organisation"]
    id: uuid.UUID


STEWARD_DESCRIPTION = (
    "Who keeps this record: the station or organisation whose client registered it. Besides the"
    " bureau's (unbound) clients, only clients bound to the steward change it; null: the bureau."
)


def fold_steward(values: dict[str, Any]) -> dict[str, Any]:
    """Fold a row's steward columns into the API's `steward` object."""
    station = values.pop("steward_station_id", None)
    organisation = values.pop("steward_organisation_id", None)
    if station is not None:
        values["steward"] = {"type": "station", "id": station}
    elif organisation is not None:
        values["steward"] = {"type": "organisation", "id": organisation}
    else:
        values["steward"] = None
    return values


def shown_name(name: str, *, reveal: bool) -> str:
    """A natural person's name: as stored for a caller who may read the person, else masked."""
    return name if reveal else mask_name(name)


PERSON_NAME_DESCRIPTION = (
    "Masked (`王*明`) unless the caller holds `pii:read` and may read this person (its own"
    " staff, persons it stewards, persons serving its requests; everyone for unbound clients)."
)


class LocationIn(Input):
    """A WGS 84 point; the registry accepts only points inside Hangzhou."""

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, examples=[30.2466])
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, examples=[120.1620])


class Location(Output):
    """A WGS 84 point."""

    lat: float
    lon: float


class FieldError(BaseModel):
    """One input field that is wrong, and why."""

    field: str = Field(description="Where: `body.location.lat`, `query.page_size`, …")
    message: str
    code: str = Field(description="Stable code of what is wrong with the field.")
    rule: str | None = Field(default=None, description="Policy rule id (R1…R19) when one applies.")


class Problem(BaseModel):
    """RFC 9457 problem details, with a stable `code` and the request id."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="URI of the problem type.")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The request path the problem is about.")
    code: str = Field(description="Stable machine-readable code.")
    request_id: str
    rule: str | None = Field(default=None, description="Policy rule id when a rule forbids this.")
    errors: list[FieldError] | None = None
