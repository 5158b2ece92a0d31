"""Bodies shared by the partner registries, and those of /v1/organisations."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from service.domain.identity import registration_category
from service.domain.offerings import QuantityUnit, ServiceCategory, Skill
from service.domain.partners import OrganisationKind, PartnerStatus, distinct
from service.schemas.common import (
    STEWARD_DESCRIPTION,
    Input,
    Location,
    LocationIn,
    Name,
    Output,
    Page,
    PersonName,
    Phone,
    ServiceArea,
    StewardRead,
    fold_steward,
    shown_name,
)
from service.schemas.encoding import View
from service.schemas.stations import absent

Uscc = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9A-HJ-NP-RTUW-Y]{18}$"),
    Field(
        description="Unified Social Credit Code (GB 32100-2015), check character verified.",
        examples=["91350100M000100Y43"],
    ),
]
Categories = Annotated[list[ServiceCategory], Field(max_length=16), AfterValidator(distinct)]
Skills = Annotated[list[Skill], Field(max_length=64), AfterValidator(distinct)]


class CapacityIn(Input):
    """How much a partner can give, counted in one unit."""

    amount: int = Field(ge=0, le=10**12)
    unit: QuantityUnit


class Capacity(Output):
    """How much a partner can give."""

    amount: int
    unit: QuantityUnit


class RegistrationCategoryRead(Output):
    """The legal form a USCC's first two characters record."""

    code: str
    name: str
    label_zh: str


class OrganisationFields(Input):
    """What an organisation's record says, apart from its identity."""

    kind: OrganisationKind
    is_charity: bool = Field(default=False, description="A recognised charity (慈善组织).")
    is_social_work_agency: bool = Field(
        default=False, description="A professional social work service agency."
    )
    service_categories: Categories = Field(default_factory=list)
    skills: Skills = Field(default_factory=list)
    service_area: ServiceArea = Field(default_factory=list)
    location: LocationIn | None = None
    capacity: CapacityIn | None = None
    contact_name: PersonName | None = None
    contact_phone: Phone | None = None
    status: PartnerStatus = PartnerStatus.ACTIVE


class OrganisationCreate(OrganisationFields):
    """A new organisation partner."""

    name: Name
    uscc: Uscc


class OrganisationUpdate(Input):
    """A partial update; `null` clears the optional fields. The USCC does not change."""

    name: Name = absent()
    kind: OrganisationKind = absent()
    is_charity: bool = absent()
    is_social_work_agency: bool = absent()
    service_categories: Categories = absent()
    skills: Skills = absent()
    service_area: ServiceArea = absent()
    location: LocationIn | None = None
    capacity: CapacityIn | None = None
    contact_name: PersonName | None = None
    contact_phone: Phone | None = None
    status: PartnerStatus = absent()


class OrganisationRead(Output):
    """A social organisation, social work agency, charity, foundation or enterprise."""

    id: uuid.UUID
    name: str
    uscc: str
    registration_category: RegistrationCategoryRead
    kind: OrganisationKind
    is_charity: bool
    is_social_work_agency: bool
    service_categories: list[ServiceCategory]
    skills: list[Skill]
    service_area: list[str]
    location: Location | None
    capacity: Capacity | None
    contact_name: str | None = Field(
        description="The contact person; masked (`王*明`) unless the caller holds `pii:read` and"
        " may read this partner's contact (unbound, or bound to it or to its steward)."
    )
    contact_phone: str | None = Field(description="Masked; see the contact endpoints.")
    steward: StewardRead | None = Field(description=STEWARD_DESCRIPTION)
    status: PartnerStatus
    version: int
    created_at: datetime
    updated_at: datetime


class OrganisationPage(Page[OrganisationRead]):
    """A page of organisations."""


def row_location(values: dict[str, Any], lat: str = "lat", lon: str = "lon") -> dict[str, Any]:
    """Fold a row's latitude and longitude columns into the API's `location` object."""
    latitude, longitude = values.pop(lat, None), values.pop(lon, None)
    values["location"] = (
        None if latitude is None or longitude is None else {"lat": latitude, "lon": longitude}
    )
    return values


def organisation_view(
    row: Mapping[str, Any], *, reveal_contact: bool = False
) -> View[OrganisationRead]:
    """A stored organisation as the API shows it (the phone masked, never decrypted)."""
    values = fold_steward(row_location(dict(row)))
    if values.get("contact_name") is not None:
        values["contact_name"] = shown_name(values["contact_name"], reveal=reveal_contact)
    category = registration_category(values["uscc"])
    values["registration_category"] = {
        "code": category.code,
        "name": category.name,
        "label_zh": category.label_zh,
    }
    amount, unit = values.pop("capacity_amount", None), values.pop("capacity_unit", None)
    values["capacity"] = None if amount is None else {"amount": amount, "unit": unit}
    values["contact_phone"] = values.pop("contact_phone_masked", None)
    values.pop("contact_phone_ciphertext", None)
    return View(OrganisationRead, values)


def organisation_read(row: Mapping[str, Any], *, reveal_contact: bool = False) -> OrganisationRead:
    """A stored organisation as its validated response model."""
    return organisation_view(row, reveal_contact=reveal_contact).validated()
