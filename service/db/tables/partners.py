"""The partners of the five societies: organisations, universities, social workers, volunteers,
volunteer teams and charity resources.

Phones and resident ID numbers are stored only encrypted (`*_ciphertext`), with a masked copy for
display and, for ID numbers, a blind index (`*_index`) that makes duplicates a unique violation.
Lists a partner offers or covers are JSON arrays (JSONB with GIN indexes on PostgreSQL).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from service.db.tables.columns import json_list, one_of, timestamp
from service.db.types import OptionalJSONDocument
from service.domain.offerings import QuantityUnit
from service.domain.partners import (
    CertificateLevel,
    CharityResourceKind,
    Employment,
    OrganisationKind,
    PartnerStatus,
    SupervisorLevel,
    TeamRole,
)


def _gin(table: str, *columns: str) -> tuple[Index, ...]:
    return tuple(
        Index(f"ix_{table}_{column}_gin", column, postgresql_using="gin") for column in columns
    )


def _common_checks() -> tuple[CheckConstraint, ...]:
    return (
        CheckConstraint(one_of("status", PartnerStatus), name="status"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(
            "steward_station_id IS NULL OR steward_organisation_id IS NULL", name="one_steward"
        ),
    )


def steward_station() -> Any:
    """The station that keeps the record (it registered it), if any."""
    return Field(default=None, foreign_key="station.id", index=True)


def steward_organisation() -> Any:
    """The organisation that keeps the record (it registered it), if any."""
    return Field(default=None, foreign_key="organisation.id", index=True)


class OrganisationRecord(SQLModel, table=True):
    """A social organisation, social work agency, charity, foundation or enterprise."""

    __tablename__ = "organisation"
    __table_args__ = (
        UniqueConstraint("uscc"),
        CheckConstraint(one_of("kind", OrganisationKind), name="kind"),
        CheckConstraint(
            f"capacity_unit IS NULL OR {one_of('capacity_unit', QuantityUnit)}",
            name="capacity_unit",
        ),
        CheckConstraint("(capacity_amount IS NULL) = (capacity_unit IS NULL)", name="capacity"),
        CheckConstraint("capacity_amount IS NULL OR capacity_amount >= 0", name="capacity_amount"),
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="location_complete"),
        *_common_checks(),
        *_gin("organisation", "service_categories", "skills", "service_area"),
        Index("ix_organisation_lat_lon", "lat", "lon"),  # providers within a radius
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=128, index=True)
    uscc: str = Field(max_length=18)
    registration_category: str = Field(max_length=2)
    kind: str = Field(max_length=32, index=True)
    is_charity: bool = False
    is_social_work_agency: bool = False
    service_categories: list[str] = json_list()
    skills: list[str] = json_list()
    service_area: list[str] = json_list()
    lat: float | None = None
    lon: float | None = None
    capacity_amount: int | None = Field(default=None, sa_type=BigInteger)
    capacity_unit: str | None = Field(default=None, max_length=16)
    contact_name: str | None = Field(default=None, max_length=64)
    contact_phone_ciphertext: str | None = Field(default=None, sa_type=Text)
    contact_phone_masked: str | None = Field(default=None, max_length=32)
    steward_station_id: uuid.UUID | None = steward_station()
    steward_organisation_id: uuid.UUID | None = steward_organisation()
    status: str = Field(default=PartnerStatus.ACTIVE.value, max_length=16, index=True)
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class UniversityRecord(SQLModel, table=True):
    """A university partner (R15): practice bases, internships, research, supervision."""

    __tablename__ = "university"
    __table_args__ = (
        UniqueConstraint("uscc"),
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="location_complete"),
        *_common_checks(),
        *_gin("university", "offers", "service_area"),
        Index("ix_university_lat_lon", "lat", "lon"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=128, index=True)
    uscc: str = Field(max_length=18)
    schools: list[str] = json_list()
    offers: list[str] = json_list()
    service_area: list[str] = json_list()
    lat: float | None = None
    lon: float | None = None
    contact_name: str | None = Field(default=None, max_length=64)
    contact_phone_ciphertext: str | None = Field(default=None, sa_type=Text)
    contact_phone_masked: str | None = Field(default=None, max_length=32)
    contact_email: str | None = Field(default=None, max_length=254)
    steward_station_id: uuid.UUID | None = steward_station()
    steward_organisation_id: uuid.UUID | None = steward_organisation()
    status: str = Field(default=PartnerStatus.ACTIVE.value, max_length=16, index=True)
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class SocialWorkerRecord(SQLModel, table=True):
    """A social worker (社会工作者): qualification, employment, where they serve."""

    __tablename__ = "social_worker"
    __table_args__ = (
        UniqueConstraint("id_number_index"),
        CheckConstraint(one_of("certificate_level", CertificateLevel), name="certificate_level"),
        CheckConstraint(one_of("employment", Employment), name="employment"),
        CheckConstraint(one_of("supervisor_level", SupervisorLevel), name="supervisor_level"),
        CheckConstraint(
            "certificate_level = 'none' OR certificate_number IS NOT NULL",
            name="certified_has_number",
        ),
        CheckConstraint(
            "weekly_hours IS NULL OR (weekly_hours >= 0 AND weekly_hours <= 168)",
            name="weekly_hours",
        ),
        *_common_checks(),
        *_gin("social_worker", "skills", "service_area"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=64, index=True)
    id_number_ciphertext: str = Field(sa_type=Text)
    id_number_index: str = Field(max_length=64)
    id_number_masked: str = Field(max_length=18)
    phone_ciphertext: str | None = Field(default=None, sa_type=Text)
    phone_masked: str | None = Field(default=None, max_length=32)
    certificate_level: str = Field(max_length=16, index=True)
    certificate_number: str | None = Field(default=None, max_length=32)
    employment: str = Field(max_length=16)
    station_id: uuid.UUID | None = Field(default=None, foreign_key="station.id", index=True)
    office_id: uuid.UUID | None = Field(default=None, foreign_key="office.id", index=True)
    employer_organisation_id: uuid.UUID | None = Field(
        default=None, foreign_key="organisation.id", index=True
    )
    supervisor_level: str = Field(max_length=16)
    skills: list[str] = json_list()
    service_area: list[str] = json_list()
    weekly_hours: int | None = None
    # When they can serve, as a volunteer's (weekly slots, dated exceptions); NULL: not stated,
    # any time (matching does not filter them on availability).
    weekly_availability: list[dict[str, object]] | None = Field(
        default=None, sa_column=Column(OptionalJSONDocument, nullable=True)
    )
    availability_exceptions: list[dict[str, object]] | None = Field(
        default=None, sa_column=Column(OptionalJSONDocument, nullable=True)
    )
    steward_station_id: uuid.UUID | None = steward_station()
    steward_organisation_id: uuid.UUID | None = steward_organisation()
    status: str = Field(default=PartnerStatus.ACTIVE.value, max_length=16, index=True)
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class VolunteerRecord(SQLModel, table=True):
    """A community volunteer (社区志愿者): skills, where, when, how many hours."""

    __tablename__ = "volunteer"
    __table_args__ = (
        UniqueConstraint("id_number_index"),
        CheckConstraint("hours_per_week >= 0 AND hours_per_week <= 168", name="hours_per_week"),
        CheckConstraint("(home_lat IS NULL) = (home_lon IS NULL)", name="home_complete"),
        *_common_checks(),
        Index("ix_volunteer_home_lat_home_lon", "home_lat", "home_lon"),
        *_gin("volunteer", "skills", "service_area", "weekly_availability"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=64, index=True)
    phone_ciphertext: str = Field(sa_type=Text)
    phone_masked: str = Field(max_length=32)
    id_number_ciphertext: str | None = Field(default=None, sa_type=Text)
    id_number_index: str | None = Field(default=None, max_length=64)
    id_number_masked: str | None = Field(default=None, max_length=18)
    skills: list[str] = json_list()
    service_area: list[str] = json_list()
    home_lat: float | None = None
    home_lon: float | None = None
    weekly_availability: list[dict[str, object]] = json_list()
    availability_exceptions: list[dict[str, object]] = json_list()
    hours_per_week: int = 0
    steward_station_id: uuid.UUID | None = steward_station()
    steward_organisation_id: uuid.UUID | None = steward_organisation()
    status: str = Field(default=PartnerStatus.ACTIVE.value, max_length=16, index=True)
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class VolunteerTeamRecord(SQLModel, table=True):
    """A volunteer team (志愿服务队), possibly led by an organisation."""

    __tablename__ = "volunteer_team"
    __table_args__ = (
        CheckConstraint("capacity_people IS NULL OR capacity_people >= 0", name="capacity"),
        *_common_checks(),
        *_gin("volunteer_team", "skills", "service_area"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=128, index=True)
    leading_organisation_id: uuid.UUID | None = Field(
        default=None, foreign_key="organisation.id", index=True
    )
    skills: list[str] = json_list()
    service_area: list[str] = json_list()
    capacity_people: int | None = None
    steward_station_id: uuid.UUID | None = steward_station()
    steward_organisation_id: uuid.UUID | None = steward_organisation()
    status: str = Field(default=PartnerStatus.ACTIVE.value, max_length=16, index=True)
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class VolunteerTeamMemberRecord(SQLModel, table=True):
    """A volunteer's membership of a team; a team has one leader at most."""

    __tablename__ = "volunteer_team_member"
    __table_args__ = (
        CheckConstraint(one_of("role", TeamRole), name="role"),
        Index(
            "uq_volunteer_team_member_one_leader",
            "team_id",
            unique=True,
            postgresql_where=text("role = 'leader'"),
            sqlite_where=text("role = 'leader'"),
        ),
    )

    team_id: uuid.UUID = Field(foreign_key="volunteer_team.id", primary_key=True)
    volunteer_id: uuid.UUID = Field(foreign_key="volunteer.id", primary_key=True, index=True)
    role: str = Field(default=TeamRole.MEMBER.value, max_length=16)
    joined_on: date


class CharityResourceRecord(SQLModel, table=True):
    """Funds, goods, a venue or a project an organisation offers (社会慈善资源)."""

    __tablename__ = "charity_resource"
    __table_args__ = (
        CheckConstraint(one_of("kind", CharityResourceKind), name="kind"),
        CheckConstraint(one_of("unit", QuantityUnit), name="unit"),
        CheckConstraint(
            "total_quantity >= 0 AND remaining_quantity >= 0"
            " AND remaining_quantity <= total_quantity",
            name="quantities",
        ),
        CheckConstraint(
            "valid_from IS NULL OR valid_until IS NULL OR valid_until >= valid_from",
            name="validity",
        ),
        *_common_checks(),
        *_gin("charity_resource", "target_groups", "service_area"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    title: str = Field(max_length=128, index=True)
    kind: str = Field(max_length=16, index=True)
    total_quantity: int = Field(sa_type=BigInteger)
    remaining_quantity: int = Field(sa_type=BigInteger)
    unit: str = Field(max_length=16)
    valid_from: date | None = None
    valid_until: date | None = None
    target_groups: list[str] = json_list()
    service_area: list[str] = json_list()
    restrictions: str | None = Field(default=None, max_length=1000)
    steward_station_id: uuid.UUID | None = steward_station()
    steward_organisation_id: uuid.UUID | None = steward_organisation()
    status: str = Field(default=PartnerStatus.ACTIVE.value, max_length=16, index=True)
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
