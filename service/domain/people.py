"""Social workers (社会工作者) and university partners (高校, R15): their rules and filters.

A social worker's qualification decides whether a certificate number belongs on the record
(R3–R5 count certified workers), and the place they serve is a station or one of its community
offices: an office always belongs to exactly one station.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service.domain.errors import FieldProblem
from service.domain.partners import (
    CertificateLevel,
    Employment,
    PartnerFilter,
    SupervisorLevel,
    UniversityOffer,
    is_certified,
)


def certificate_problems(level: CertificateLevel, number: str | None) -> list[FieldProblem]:
    """A certified worker has a certificate number; one without a certificate has none."""
    if is_certified(level) and not number:
        return [
            FieldProblem(
                "certificate_number",
                f"a worker certified at level {level.value!r} needs a certificate number",
                code="certificate_number_required",
            )
        ]
    if not is_certified(level) and number:
        return [
            FieldProblem(
                "certificate_number",
                "a worker without a certificate (level 'none') has no certificate number",
                code="certificate_number_not_allowed",
            )
        ]
    return []


@dataclass(frozen=True, slots=True)
class PlaceOfService:
    """Where a social worker serves: a station, and possibly one of its community offices."""

    station_id: uuid.UUID | None
    office_id: uuid.UUID | None


def place_of_service(
    *,
    station_id: uuid.UUID | None,
    office_id: uuid.UUID | None,
    station_of_office: uuid.UUID | None,
    station_named: bool,
) -> tuple[PlaceOfService, list[FieldProblem]]:
    """The place a worker serves, from the station and office named and the office's station.

    An office implies its station. When the caller also names the station (`station_named`, a
    null included), it must be the office's station; otherwise the office's station is taken.
    """
    if office_id is None:
        return PlaceOfService(station_id=station_id, office_id=None), []
    if station_named and station_id != station_of_office:
        named = "no station" if station_id is None else f"station {station_id}"
        problem = FieldProblem(
            "station_id",
            f"office {office_id} belongs to station {station_of_office}, not to {named}",
            code="office_of_another_station",
        )
        return PlaceOfService(station_id=station_id, office_id=office_id), [problem]
    return PlaceOfService(station_id=station_of_office, office_id=office_id), []


@dataclass(frozen=True, slots=True)
class SocialWorkerFilter(PartnerFilter):
    """The filters of GET /v1/social-workers."""

    station_id: uuid.UUID | None = None
    office_id: uuid.UUID | None = None
    employer_organisation_id: uuid.UUID | None = None
    certificate_level: CertificateLevel | None = None
    supervisor_level: SupervisorLevel | None = None
    employment: Employment | None = None


@dataclass(frozen=True, slots=True)
class UniversityFilter(PartnerFilter):
    """The filters of GET /v1/universities."""

    offer: UniversityOffer | None = None
