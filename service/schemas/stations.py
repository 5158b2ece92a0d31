"""Bodies of /v1/stations and /v1/offices."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, Field, StringConstraints

from service.domain.vocabulary import (
    Facility,
    FocusGroup,
    ManagementSystem,
    OperatingMode,
    ServiceItemCategory,
    Specialty,
    StationStatus,
)
from service.schemas.common import (
    COMMUNITY_CODE,
    TOWNSHIP_CODE,
    Address,
    Description,
    Input,
    Location,
    LocationIn,
    MaskedPhone,
    Name,
    Output,
    Page,
    Phone,
    Title,
)
from service.schemas.encoding import View

E = TypeVar("E", bound=StrEnum)


def _distinct(values: list[E]) -> list[E]:
    """A set given as a list: duplicates dropped, vocabulary order kept, so responses are stable."""
    if not values:
        return values
    order = list(type(values[0]))
    return sorted(set(values), key=order.index)


Facilities = Annotated[list[Facility], Field(max_length=16), AfterValidator(_distinct)]
ManagementSystems = Annotated[
    list[ManagementSystem], Field(max_length=16), AfterValidator(_distinct)
]
Specialties = Annotated[list[Specialty], Field(max_length=32), AfterValidator(_distinct)]
FocusGroups = Annotated[list[FocusGroup], Field(max_length=16), AfterValidator(_distinct)]

TownshipCode = Annotated[
    str, StringConstraints(pattern=TOWNSHIP_CODE), Field(examples=["330102001"])
]
CommunityCode = Annotated[
    str, StringConstraints(pattern=COMMUNITY_CODE), Field(examples=["330102001051"])
]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent(**constraints: Any) -> Any:
    """A field of a partial update that may be left out but, when sent, may not be null."""
    return Field(default=None, json_schema_extra=_no_default, **constraints)


class ServiceItemIn(Input):
    """An entry of the published service list (R8: no township administrative affairs)."""

    title: Title
    category: ServiceItemCategory


class ServiceItem(Output):
    """An entry of the published service list."""

    title: str
    category: ServiceItemCategory


class StationFields(Input):
    """What a station's operator sets, on creation and on update."""

    status: StationStatus = StationStatus.PLANNED
    operating_mode: OperatingMode | None = Field(default=None, description="R9.")
    is_demonstration: bool = Field(default=False, description="A demonstration station (R14, R17).")
    demonstration_year: int | None = Field(default=None, ge=2021, le=2100)
    facilities: Facilities = Field(default_factory=list, description="Rooms set up (R6).")
    management_systems: ManagementSystems = Field(
        default_factory=list, description="Management systems in force (R7)."
    )
    specialties: Specialties = Field(default_factory=list, description="一站一品 fields (R13).")
    focus_groups: FocusGroups = Field(default_factory=list, description="Focus groups (R12).")
    service_items: list[ServiceItemIn] = Field(
        default_factory=list, max_length=100, description="Published service list (R8)."
    )
    address: Address | None = None
    location: LocationIn | None = None
    contact_phone: Phone | None = None


class StationCreate(StationFields):
    """A new station in a township that has none yet."""

    township_code: TownshipCode = Field(description="Township-level code, digits 7–9 in 001–399.")
    name: Name | None = Field(
        default=None,
        description="Optional; when given it must be the official R1 name (otherwise derived).",
    )


class StationUpdate(Input):
    """A partial update (merge-patch semantics): only the fields sent change.

    `null` clears the optional fields (operating mode, demonstration year, address, location,
    phone); the others are not nullable, and a `null` for them is refused.
    """

    status: StationStatus = absent()
    operating_mode: OperatingMode | None = None
    is_demonstration: bool = absent()
    demonstration_year: int | None = Field(default=None, ge=2021, le=2100)
    facilities: Facilities = absent()
    management_systems: ManagementSystems = absent()
    specialties: Specialties = absent()
    focus_groups: FocusGroups = absent()
    service_items: list[ServiceItemIn] = absent(max_length=100)
    address: Address | None = None
    location: LocationIn | None = None
    contact_phone: Phone | None = None


class StationRead(Output):
    """A township/street social work station."""

    id: uuid.UUID
    name: str = Field(description="Official name (R1).")
    township_code: str
    district_code: str
    status: StationStatus
    operating_mode: OperatingMode | None
    is_demonstration: bool
    demonstration_year: int | None
    facilities: list[Facility]
    management_systems: list[ManagementSystem]
    specialties: list[Specialty]
    focus_groups: list[FocusGroup]
    service_items: list[ServiceItem]
    address: str | None
    location: Location | None
    contact_phone: MaskedPhone | None
    version: int = Field(description="Increments on every change; the ETag carries it.")
    created_at: datetime
    updated_at: datetime


class OfficeCreate(Input):
    """A community featured social work office (社区特色社会工作室)."""

    community_code: CommunityCode = Field(description="Village-level code of the community.")
    name: Name | None = Field(default=None, description="Defaults to the community's name.")
    is_demonstration: bool = False
    featured_service: Description | None = None


class OfficeUpdate(Input):
    """A partial update of an office; `null` clears the featured service."""

    name: Name = absent()
    is_demonstration: bool = absent()
    featured_service: Description | None = None


class OfficeRead(Output):
    """A community featured social work office."""

    id: uuid.UUID
    name: str
    community_code: str
    station_id: uuid.UUID
    district_code: str
    is_demonstration: bool
    featured_service: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class StationPage(Page[StationRead]):
    """A page of stations."""


class OfficePage(Page[OfficeRead]):
    """A page of offices."""


def station_view(row: Mapping[Any, Any]) -> View[StationRead]:
    """A stored station (a row mapping or a record's dump) as the API shows it."""
    values = dict(row)
    lat, lon = values.pop("lat", None), values.pop("lon", None)
    values["location"] = None if lat is None or lon is None else {"lat": lat, "lon": lon}
    return View(StationRead, values)


def station_read(row: Mapping[Any, Any]) -> StationRead:
    """A stored station as its validated response model."""
    return station_view(row).validated()


def office_view(row: Mapping[Any, Any]) -> View[OfficeRead]:
    """A stored office as the API shows it."""
    return View(OfficeRead, dict(row))


def office_read(row: Mapping[Any, Any]) -> OfficeRead:
    """A stored office as its validated response model."""
    return office_view(row).validated()
