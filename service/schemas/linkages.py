"""Bodies of /v1/linkages and of a station's network (/v1/stations/{id}/network)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from service.domain.divisions import DivisionKind
from service.domain.linkages import (
    LinkageKind,
    LinkageStatus,
    PartnerType,
    linkage_warnings,
    urban_rural,
)
from service.schemas.common import SINGLE_LINE, CalendarDate, Input, Output, Page
from service.schemas.encoding import View
from service.schemas.stations import absent

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def within_service_years(value: date) -> date:
    """Linkage dates fall in 2000–2099: a typo such as 0205 or 9025 is caught, not stored."""
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}")
    return value


LinkageDate = Annotated[
    CalendarDate, AfterValidator(within_service_years), Field(examples=["2025-01-01"])
]
AgreementReference = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=SINGLE_LINE),
    Field(description="The agreement's number or title.", examples=["西湖民购〔2025〕12号"]),
]


class LinkageCreate(Input):
    """A new tie between a station and a partner (or another station, for a pairing)."""

    station_id: uuid.UUID
    kind: LinkageKind
    partner_type: PartnerType
    partner_id: uuid.UUID
    starts_on: LinkageDate = Field(description="First day (2000-01-01 … 2099-12-31).")
    ends_on: LinkageDate | None = Field(
        default=None,
        description="Last day, inclusive (up to 2099-12-31); null for an open-ended linkage.",
    )
    status: LinkageStatus = LinkageStatus.ACTIVE
    agreement_reference: AgreementReference | None = None


class LinkageUpdate(Input):
    """A partial update: the status, the last day and the agreement may change; `null` clears
    `ends_on` and `agreement_reference`. Ended is final. The ends, kind and start do not change."""

    status: LinkageStatus = absent()
    ends_on: LinkageDate | None = Field(default=None, description="Last day, inclusive.")
    agreement_reference: AgreementReference | None = None


class WarningRead(Output):
    """Advice about a linkage that did not block it (computed, not stored)."""

    code: str = Field(examples=["supervision_term_short"])
    message: str
    rule: str | None = Field(default=None, description="Policy rule id (R1…R19).")


class LinkageRead(Output):
    """A linkage between a station and a partner."""

    id: uuid.UUID
    station_id: uuid.UUID
    kind: LinkageKind
    partner_type: PartnerType
    partner_id: uuid.UUID
    starts_on: date
    ends_on: date | None
    status: LinkageStatus
    agreement_reference: str | None
    urban_rural: bool = Field(
        description="An urban–rural pairing: a district's station with a county's or county-level"
        " city's (R16)."
    )
    warnings: list[WarningRead] = Field(description="Advice (R10 …); empty when there is none.")
    version: int
    created_at: datetime
    updated_at: datetime


class LinkagePage(Page[LinkageRead]):
    """A page of linkages in start-date order."""


def linkage_view(row: Mapping[str, Any]) -> View[LinkageRead]:
    """A stored linkage (with its stations' district kinds) as the API shows it."""
    values = dict(row)
    kind = LinkageKind(values["kind"])
    partner_kind = values.pop("partner_district_kind", None)
    values["urban_rural"] = urban_rural(
        kind,
        DivisionKind(values.pop("station_district_kind")),
        DivisionKind(partner_kind) if partner_kind is not None else None,
    )
    values["warnings"] = [
        {"code": w.code, "message": w.message, "rule": w.rule}
        for w in linkage_warnings(kind, values["starts_on"], values["ends_on"])
    ]
    return View(LinkageRead, values)


def linkage_read(row: Mapping[str, Any]) -> LinkageRead:
    """A stored linkage as its validated response model."""
    return linkage_view(row).validated()


class StationRef(Output):
    """Which station the picture is of."""

    id: uuid.UUID
    name: str


class NetworkPartner(Output):
    """One partner of the station, with every kind of active linkage it has with it."""

    partner_id: uuid.UUID
    partner_type: PartnerType
    name: str | None = Field(description="Name (a charity resource's title); null if unknown.")
    kinds: list[LinkageKind]
    urban_rural: bool | None = Field(
        default=None, description="For a paired station: an urban–rural pair (R16); else null."
    )


class PartnerGroup(Output):
    """The station's partners of one type."""

    partner_type: PartnerType
    count: int
    items: list[NetworkPartner]


class KindCount(Output):
    """How many active linkages of one kind the station has."""

    kind: LinkageKind
    count: int


class StaffingRead(Output):
    """The active social workers who serve the station (its offices' included)."""

    count: int
    certified: int
    full_time_certified: int
    r3_compliant: bool = Field(description="At least 3 full-time certified social workers (R3).")


class OfficesRead(Output):
    """The station's community featured social work offices."""

    count: int


class NetworkRead(Output):
    """A station's five-society picture (五社联动): partners, active linkages, staff, offices."""

    station: StationRef
    partners: list[PartnerGroup] = Field(description="Every partner type, in a fixed order.")
    active_linkages_by_kind: list[KindCount] = Field(description="Every kind, in a fixed order.")
    active_linkages: list[LinkageRead] = Field(
        description="Status `active`, from this station's side and the paired stations'."
    )
    social_workers: StaffingRead
    offices: OfficesRead
