"""Bodies of /v1/social-workers: the registry shows only masked identifiers; `contact` does not."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from service.domain.offerings import Skill
from service.domain.partners import CertificateLevel, Employment, PartnerStatus, SupervisorLevel
from service.schemas.common import (
    PERSON_NAME_DESCRIPTION,
    STEWARD_DESCRIPTION,
    Input,
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
from service.schemas.partners import Skills
from service.schemas.stations import absent
from service.schemas.volunteers import Availability, AvailabilityIn

ResidentIdNumber = Annotated[
    str,
    StringConstraints(pattern=r"^[1-9][0-9]{16}[0-9Xx]$", to_upper=True),
    Field(
        description="18-digit resident identity number (GB 11643): a real birth date and a"
        " MOD 11-2 check digit (`X` may be sent lower-case)."
    ),
]
CertificateNumber = Annotated[
    str,
    StringConstraints(min_length=4, max_length=32, pattern=r"^[0-9A-Za-z][0-9A-Za-z-]*$"),
    Field(description="Number of the social work qualification certificate.", examples=["ZJ-0042"]),
]
WeeklyHours = Annotated[int, Field(ge=0, le=168, description="Hours a week they serve.")]


class SocialWorkerFields(Input):
    """What a social worker's record says, apart from their identity."""

    phone: Phone | None = None
    certificate_level: CertificateLevel = Field(
        description="助理社会工作师, 社会工作师 or 高级社会工作师; `none` when not certified."
    )
    certificate_number: CertificateNumber | None = Field(
        default=None, description="Required when certified; refused at level `none`."
    )
    employment: Employment
    station_id: uuid.UUID | None = Field(
        default=None, description="The station they serve; an office's station when omitted."
    )
    office_id: uuid.UUID | None = Field(
        default=None, description="The community office they serve (it belongs to the station)."
    )
    employer_organisation_id: uuid.UUID | None = Field(
        default=None, description="The organisation (often a social work agency) employing them."
    )
    supervisor_level: SupervisorLevel = Field(
        default=SupervisorLevel.NONE, description="Recognised supervision talent (R10)."
    )
    skills: Skills = Field(default_factory=list)
    service_area: ServiceArea = Field(default_factory=list)
    weekly_hours: WeeklyHours | None = None
    availability: AvailabilityIn | None = Field(
        default=None,
        description="When they can serve, read in Hangzhou time (as a volunteer's); matching"
        " lists them only for windows it covers whole. Null (not stated): any time.",
    )
    status: PartnerStatus = PartnerStatus.ACTIVE


class SocialWorkerCreate(SocialWorkerFields):
    """A new social worker; the ID number is stored encrypted and shown masked."""

    name: PersonName
    id_number: ResidentIdNumber


class SocialWorkerUpdate(Input):
    """A partial update (merge-patch): `null` clears the optional fields. The ID number stays.

    Naming an office moves the worker to the office's station; a station named beside it must
    be that station.
    """

    name: PersonName = absent()
    phone: Phone | None = None
    certificate_level: CertificateLevel = absent()
    certificate_number: CertificateNumber | None = None
    employment: Employment = absent()
    station_id: uuid.UUID | None = None
    office_id: uuid.UUID | None = None
    employer_organisation_id: uuid.UUID | None = None
    supervisor_level: SupervisorLevel = absent()
    skills: Skills = absent()
    service_area: ServiceArea = absent()
    weekly_hours: WeeklyHours | None = None
    availability: AvailabilityIn | None = None
    status: PartnerStatus = absent()


class SocialWorkerRead(Output):
    """A social worker (社会工作者), identifiers masked."""

    id: uuid.UUID
    name: str = Field(description=PERSON_NAME_DESCRIPTION)
    id_number: str = Field(
        description="Masked (`330102********1234`); see the contact endpoint.",
        examples=["330106********0012"],
    )
    phone: str | None = Field(
        description="Masked (`138****5678`, a landline `****-****4321`); see the contact endpoint."
    )
    certificate_level: CertificateLevel
    certificate_number: str | None
    employment: Employment
    station_id: uuid.UUID | None
    office_id: uuid.UUID | None
    employer_organisation_id: uuid.UUID | None
    supervisor_level: SupervisorLevel
    skills: list[Skill]
    service_area: list[str]
    weekly_hours: int | None
    availability: Availability | None = Field(
        description="Weekly slots and dated exceptions; null: not stated (any time)."
    )
    steward: StewardRead | None = Field(description=STEWARD_DESCRIPTION)
    status: PartnerStatus
    version: int
    created_at: datetime
    updated_at: datetime


class SocialWorkerPage(Page[SocialWorkerRead]):
    """A page of social workers."""


class SocialWorkerSearch(Input):
    """An exact lookup by ID number, sent in the body so that it never appears in a URL."""

    id_number: ResidentIdNumber


class SocialWorkerMatches(Output):
    """The social workers registered under the ID number searched for (at most one)."""

    items: list[SocialWorkerRead]


class SocialWorkerContact(Output):
    """A social worker's personal data, unmasked: every read is in the audit trail."""

    id: uuid.UUID
    name: str
    id_number: str
    phone: str | None


def social_worker_view(row: Mapping[str, Any], *, reveal: bool = False) -> View[SocialWorkerRead]:
    """A stored social worker as the registry shows it: masked copies only, nothing decrypted;
    the name in clear only when the caller may read the person (`reveal`)."""
    values = fold_steward(dict(row))
    values["name"] = shown_name(values["name"], reveal=reveal)
    values["id_number"] = values.pop("id_number_masked")
    values["phone"] = values.pop("phone_masked", None)
    for sealed in ("id_number_ciphertext", "id_number_index", "phone_ciphertext"):
        values.pop(sealed, None)
    weekly = values.pop("weekly_availability", None)
    exceptions = values.pop("availability_exceptions", None)
    values["availability"] = (
        None if weekly is None else {"weekly": weekly, "exceptions": exceptions or []}
    )
    return View(SocialWorkerRead, values)


def social_worker_read(row: Mapping[str, Any], *, reveal: bool = False) -> SocialWorkerRead:
    """A stored social worker as its validated response model (see `social_worker_view`)."""
    return social_worker_view(row, reveal=reveal).validated()
