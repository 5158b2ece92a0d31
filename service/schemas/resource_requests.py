"""Bodies of /v1/resource-requests."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from service.domain.matching_guide import category_table
from service.domain.offerings import QuantityUnit, ServiceCategory, Skill, TargetGroup
from service.domain.requests import UNITS_FOR, RequestStatus, Urgency, quantity_left
from service.schemas.charity_resources import MULTI_LINE, TargetGroups
from service.schemas.common import (
    COMMUNITY_CODE,
    TOWNSHIP_CODE,
    Input,
    Instant,
    Location,
    LocationIn,
    Name,
    Output,
    Page,
)
from service.schemas.encoding import View
from service.schemas.partners import Skills, row_location
from service.schemas.stations import absent

EARLIEST_YEAR, LATEST_YEAR = 2000, 2099


def in_service_years(value: datetime) -> datetime:
    """An instant of this century (in UTC): a typo such as 0202 or 9202 is caught, not stored."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"a date-time from the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    return value


Moment = Annotated[Instant, AfterValidator(in_service_years)]
Details = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000, pattern=MULTI_LINE),
    Field(description="What is needed, for whom, and how; line breaks allowed."),
]
Quantity = Annotated[
    int,
    Field(strict=True, ge=1, le=1_000_000_000, description="How much is needed, in `unit` (> 0)."),
]
PlaceCode = Annotated[
    str,
    StringConstraints(pattern=f"{TOWNSHIP_CODE}|{COMMUNITY_CODE}"),
    Field(
        description="Where it happens: the station's township or a community in it.",
        examples=["330106002"],
    ),
]
_UNITS = "; ".join(
    f"{category.value}: {', '.join(sorted(unit.value for unit in units))}"
    for category, units in UNITS_FOR.items()
)
Unit = Annotated[QuantityUnit, Field(description=f"The units each category counts in ({_UNITS}).")]


class WindowIn(Input):
    """When the help is needed: it ends after it starts, has not passed, and spans at most
    366 days."""

    starts_at: Moment
    ends_at: Moment


class Window(Output):
    """When the help is needed (UTC)."""

    starts_at: datetime
    ends_at: datetime


class ResourceRequestCreate(Input):
    """What a station needs, where, when and how much."""

    station_id: uuid.UUID = Field(description="The asking station; a station-bound client's own.")
    office_id: uuid.UUID | None = Field(
        default=None, description="A community office of that station, when it asks through one."
    )
    title: Name
    description: Details | None = None
    category: ServiceCategory = Field(
        description="What kind of help: it decides who can serve the request and the units it"
        f" is counted in.\n\n{category_table()}"
    )
    required_skills: Skills = Field(
        default_factory=list,
        description="Every one must be held: a hard filter of matching (registries that record"
        " skills – volunteers, teams, organisations, social workers).",
    )
    preferred_skills: Skills = Field(
        default_factory=list,
        description="Welcome but not required: they only weigh in the `skill_coverage` score.",
    )
    target_groups: TargetGroups = Field(default_factory=list)
    quantity: Quantity
    unit: Unit
    division_code: PlaceCode
    location: LocationIn | None = Field(default=None, description="Inside Hangzhou.")
    window: WindowIn
    urgency: Urgency = Urgency.NORMAL


class ResourceRequestUpdate(Input):
    """A partial update while the request is open or partially committed; `null` clears the
    description and the location. The category, unit, station, office and division never
    change; the window only while nothing is committed."""

    title: Name = absent()
    description: Details | None = None
    required_skills: Skills = absent()
    preferred_skills: Skills = absent()
    target_groups: TargetGroups = absent()
    quantity: Quantity = absent(description="Never below `committed_quantity`.")
    location: LocationIn | None = None
    window: WindowIn = absent()
    urgency: Urgency = absent()


class ResourceRequestRead(Output):
    """A resource request and how far it has been answered."""

    id: uuid.UUID
    station_id: uuid.UUID
    office_id: uuid.UUID | None
    district_code: str
    division_code: str
    title: str
    description: str | None
    category: ServiceCategory
    required_skills: list[Skill]
    preferred_skills: list[Skill]
    target_groups: list[TargetGroup]
    quantity: int
    unit: QuantityUnit
    committed_quantity: int = Field(description="Accepted by providers (completed included).")
    fulfilled_quantity: int = Field(description="Delivered, by completed offers.")
    quantity_left: int = Field(description="Still to be committed: quantity − committed.")
    location: Location | None
    window: Window
    urgency: Urgency
    status: RequestStatus
    version: int
    created_at: datetime
    updated_at: datetime


class ResourceRequestPage(Page[ResourceRequestRead]):
    """A page of resource requests."""


def resource_request_view(row: Mapping[str, Any]) -> View[ResourceRequestRead]:
    """A stored request as the API shows it: location and window folded, what is left derived."""
    values = row_location(dict(row))
    values["window"] = {"starts_at": values.pop("starts_at"), "ends_at": values.pop("ends_at")}
    values["quantity_left"] = quantity_left(values["quantity"], [values["committed_quantity"]])
    return View(ResourceRequestRead, values)


def resource_request_read(row: Mapping[str, Any]) -> ResourceRequestRead:
    """A stored request as its validated response model."""
    return resource_request_view(row).validated()
