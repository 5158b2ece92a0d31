"""Bodies of the offers (/v1/offers, /v1/resource-requests/{id}/offers) and of the
volunteer-hour ledger (/v1/volunteers/{id}/service-records, /v1/service-records.csv)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from service.domain.fulfilment import (
    MAX_HOLD_HOURS,
    MAX_TOP,
    Completion,
    MemberHours,
    effective_status,
)
from service.domain.offerings import QuantityUnit
from service.domain.requests import LapseReason, OfferStatus, ProviderType
from service.domain.service_records import LEDGER_COLUMNS, ledger_row
from service.schemas.charity_resources import MULTI_LINE
from service.schemas.common import CalendarDate, Input, Output, Page
from service.schemas.encoding import View
from service.schemas.matching import ScorePart

MAX_HOURS = 366 * 24

Amount = Annotated[int, Field(strict=True, ge=0, le=1_000_000_000)]
Hours = Annotated[float, Field(ge=0, le=MAX_HOURS, allow_inf_nan=False)]
Note = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=MULTI_LINE)]
RatingNote = Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=MULTI_LINE)]


class ProviderChoice(Input):
    """A provider to offer the request to, by registry and id."""

    provider_type: ProviderType
    provider_id: uuid.UUID
    quantity: int | None = Field(
        default=None,
        strict=True,
        ge=1,
        le=1_000_000_000,
        description="How much to offer them, in the request's unit; by default what they can"
        " give of what is left.",
    )


class OfferBatchCreate(Input):
    """Offer a request to named providers or to the top-ranked candidates: send one of
    `providers` and `top`. Every named provider must pass every hard filter of matching."""

    providers: list[ProviderChoice] | None = Field(default=None, min_length=1, max_length=100)
    top: int | None = Field(
        default=None,
        strict=True,
        ge=1,
        le=MAX_TOP,
        description="Offer to this many of the best-ranked candidates.",
    )
    expires_in_hours: int | None = Field(
        default=None,
        strict=True,
        ge=1,
        le=MAX_HOLD_HOURS,
        description="How long each offer holds the provider's capacity (never past the"
        " request's window); the service's configured hold (`LINKAGE_OFFER_HOLD_HOURS`,"
        " 48 by default) when left out.",
    )


class MemberHoursIn(Input):
    """Hours one member of a volunteer team served."""

    volunteer_id: uuid.UUID
    hours: float = Field(gt=0, le=MAX_HOURS, allow_inf_nan=False)


class OfferCompletion(Input):
    """What was delivered. Volunteer offers need `volunteer_hours`; volunteer-team offers
    `member_hours` (members of the team; `volunteer_hours`, if sent, is their sum). Each
    volunteer's hours go to the service-record ledger."""

    actual_quantity: Amount = Field(
        description="Delivered, in the request's unit; at most offered."
    )
    volunteer_hours: Hours | None = Field(default=None, description="Hours served (one person).")
    member_hours: list[MemberHoursIn] | None = Field(default=None, max_length=1000)
    beneficiaries: int | None = Field(
        default=None, strict=True, ge=0, le=10_000_000, description="People served."
    )
    outcome_note: Note | None = None
    service_date: CalendarDate | None = Field(
        default=None,
        description="Local (China time) date served, within the window; by default today, or"
        " the window's nearest day.",
    )


def completion_of(data: OfferCompletion) -> Completion:
    """A completion body as the domain's rules read it."""
    members = data.member_hours
    return Completion(
        actual_quantity=data.actual_quantity,
        volunteer_hours=data.volunteer_hours,
        member_hours=None
        if members is None
        else tuple(MemberHours(m.volunteer_id, m.hours) for m in members),
        beneficiaries=data.beneficiaries,
        outcome_note=data.outcome_note,
        service_date=data.service_date,
    )


class OfferRating(Input):
    """The station's rating of a completed offer (once): it feeds matching's reliability."""

    rating: int = Field(strict=True, ge=1, le=5, description="1 (poor) to 5 (excellent).")
    note: RatingNote | None = None


class OfferWindow(Output):
    """When the provider is booked (the request's window, UTC)."""

    starts_at: datetime
    ends_at: datetime


class OfferRead(Output):
    """An offer of (part of) a request to one provider, and what became of it."""

    id: uuid.UUID
    request_id: uuid.UUID
    station_id: uuid.UUID
    provider_type: ProviderType
    provider_id: uuid.UUID
    quantity: int = Field(description="Offered, in `unit`.")
    unit: QuantityUnit
    status: OfferStatus = Field(description="A proposal whose hold has run out shows expired.")
    lapse_reason: LapseReason | None = Field(
        default=None,
        description="Why a proposal stopped holding the provider before `expires_at`: its request"
        " stopped taking offers – fully committed (`request_committed`), cancelled, closed or"
        " expired. The proposal then shows `expired` (`withdrawn` when the request was cancelled"
        " or closed), and acting on it is 409 `offer_lapsed` naming this reason (an accept says"
        " what stops its request taking it, if anything does). Null otherwise.",
    )
    window: OfferWindow
    expires_at: datetime = Field(description="When a proposal stops holding the provider.")
    score: float | None = Field(description="The match score it was offered with, if any.")
    explanation: list[ScorePart]
    allocation_run_id: uuid.UUID | None
    offered_by_client_id: uuid.UUID | None
    responded_at: datetime | None
    responded_by_client_id: uuid.UUID | None
    responded_on_behalf: bool = Field(
        description="Accepted or declined by the station on the provider's behalf."
    )
    completed_at: datetime | None
    actual_quantity: int | None
    volunteer_hours: float | None
    beneficiaries: int | None
    outcome_note: str | None
    rating: int | None
    rating_note: str | None
    rated_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class OfferPage(Page[OfferRead]):
    """A page of offers in the order they were made."""


class OfferBatch(Output):
    """The offers made: the top N best first, or named providers in the order named."""

    items: list[OfferRead]


def offer_view(row: Mapping[str, Any], *, now: datetime) -> View[OfferRead]:
    """A stored offer (with its request's unit) as the API shows it now."""
    values = dict(row)
    values.pop("provider_organisation_id", None)
    values["window"] = {"starts_at": values.pop("starts_at"), "ends_at": values.pop("ends_at")}
    values["status"] = effective_status(OfferStatus(values["status"]), values["expires_at"], now)
    return View(OfferRead, values)


def offer_read(row: Mapping[str, Any], *, now: datetime) -> OfferRead:
    """A stored offer as its validated response model."""
    return offer_view(row, now=now).validated()


class ServiceRecordRead(Output):
    """A volunteer's service record (志愿服务记录, 民政部令第67号)."""

    id: uuid.UUID
    volunteer_id: uuid.UUID
    volunteer_name: str = Field(description="志愿者姓名")
    organisation_name: str = Field(description="志愿服务组织: the station.")
    project: str = Field(description="志愿服务项目: the request's title.")
    service_date: date = Field(description="服务日期, China time.")
    hours: float = Field(description="服务时长(小时)")
    content: str = Field(description="服务内容: the outcome note, or the title.")
    recorder: str = Field(description="记录人: the client that confirmed it.")
    offer_id: uuid.UUID
    request_id: uuid.UUID
    station_id: uuid.UUID
    created_at: datetime


class ServiceRecordPage(Page[ServiceRecordRead]):
    """A page of service records in date order."""


def service_record_view(row: Mapping[str, Any]) -> View[ServiceRecordRead]:
    """A stored service record (with the volunteer's name) as the API shows it."""
    return View(ServiceRecordRead, dict(row))


CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def service_records_csv(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The ledger as CSV for Excel: UTF-8 with a BOM, a header of the MCA field names."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LEDGER_COLUMNS)
    writer.writerows(ledger_row(row) for row in rows)
    return buffer.getvalue().encode("utf-8")
