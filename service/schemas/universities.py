"""Bodies of /v1/universities: university partners (R15)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, EmailStr, Field

from service.domain.identity import registration_category
from service.domain.partners import PartnerStatus, UniversityOffer, distinct
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
from service.schemas.partners import RegistrationCategoryRead, Uscc, row_location
from service.schemas.stations import absent

# The length is checked on the list as sent, before repeats are dropped, as the schema says.
Offers = Annotated[
    list[UniversityOffer],
    Field(max_length=8, description="What the university offers the stations (R15)."),
    AfterValidator(distinct),
]
Schools = Annotated[
    list[Name],
    Field(
        max_length=64, description="Schools or departments taking part.", examples=[["社会学院"]]
    ),
    AfterValidator(distinct),
]
Email = Annotated[EmailStr, Field(max_length=254, examples=["shegong@example.edu.cn"])]


class UniversityFields(Input):
    """What a university partner's record says, apart from its identity."""

    schools: Schools = Field(default_factory=list)
    offers: Offers = Field(default_factory=list)
    service_area: ServiceArea = Field(default_factory=list)
    location: LocationIn | None = None
    contact_name: PersonName | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None
    status: PartnerStatus = PartnerStatus.ACTIVE


class UniversityCreate(UniversityFields):
    """A new university partner."""

    name: Name
    uscc: Uscc


class UniversityUpdate(Input):
    """A partial update; `null` clears the optional fields. The USCC does not change."""

    name: Name = absent()
    schools: Schools = absent()
    offers: Offers = absent()
    service_area: ServiceArea = absent()
    location: LocationIn | None = None
    contact_name: PersonName | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None
    status: PartnerStatus = absent()


class UniversityRead(Output):
    """A university partner (高校): practice bases, internships, research, supervision, training."""

    id: uuid.UUID
    name: str
    uscc: str
    registration_category: RegistrationCategoryRead
    schools: list[str]
    offers: list[UniversityOffer]
    service_area: list[str]
    location: Location | None
    contact_name: str | None = Field(
        description="The contact person; masked (`王*明`) unless the caller holds `pii:read` and"
        " may read this partner's contact (unbound, or bound to it or to its steward)."
    )
    contact_phone: str | None = Field(description="Masked (`138****5678`); landlines are not.")
    contact_email: str | None
    steward: StewardRead | None = Field(description=STEWARD_DESCRIPTION)
    status: PartnerStatus
    version: int
    created_at: datetime
    updated_at: datetime


class UniversityPage(Page[UniversityRead]):
    """A page of universities."""


def university_view(
    row: Mapping[str, Any], *, reveal_contact: bool = False
) -> View[UniversityRead]:
    """A stored university as the API shows it (the phone masked, never decrypted)."""
    values = fold_steward(row_location(dict(row)))
    if values.get("contact_name") is not None:
        values["contact_name"] = shown_name(values["contact_name"], reveal=reveal_contact)
    category = registration_category(values["uscc"])
    values["registration_category"] = {
        "code": category.code,
        "name": category.name,
        "label_zh": category.label_zh,
    }
    values["contact_phone"] = values.pop("contact_phone_masked", None)
    values.pop("contact_phone_ciphertext", None)
    return View(UniversityRead, values)


def university_read(row: Mapping[str, Any], *, reveal_contact: bool = False) -> UniversityRead:
    """A stored university as its validated response model."""
    return university_view(row, reveal_contact=reveal_contact).validated()
