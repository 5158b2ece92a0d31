"""SQLModel table classes: the schema of record. Never used as request or response bodies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, Table, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db.types import JSONDocument, UTCDateTime
from service.domain.divisions import DivisionLevel
from service.domain.vocabulary import OperatingMode, StationStatus

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, timezone-aware."""
    return datetime.now(UTC)


def _in(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def _timestamp() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSONDocument, nullable=False))


class DivisionRecord(SQLModel, table=True):
    """An administrative division of Hangzhou (reference data, loaded by migration)."""

    __tablename__ = "division"
    __table_args__ = (CheckConstraint(_in("level", DivisionLevel), name="level"),)

    code: str = Field(primary_key=True, max_length=12)
    name: str = Field(max_length=64)
    level: str = Field(max_length=16, index=True)
    kind: str = Field(max_length=32)
    parent_code: str | None = Field(
        default=None, foreign_key="division.code", max_length=12, index=True
    )
    district_code: str | None = Field(default=None, max_length=12, index=True)
    needs_station: bool = False


class StationRecord(SQLModel, table=True):
    """A township/street social work station; one per township (R2)."""

    __tablename__ = "station"
    __table_args__ = (
        CheckConstraint(_in("status", StationStatus), name="status"),
        CheckConstraint(
            f"operating_mode IS NULL OR {_in('operating_mode', OperatingMode)}",
            name="operating_mode",
        ),
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="location_complete"),
        CheckConstraint(
            "NOT is_demonstration OR demonstration_year IS NOT NULL", name="demonstration_year"
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        UniqueConstraint("township_code"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    township_code: str = Field(foreign_key="division.code", max_length=12)
    district_code: str = Field(foreign_key="division.code", max_length=12, index=True)
    name: str = Field(max_length=128)
    status: str = Field(max_length=16, index=True)
    operating_mode: str | None = Field(default=None, max_length=32)
    is_demonstration: bool = False
    demonstration_year: int | None = None
    facilities: list[str] = _json_list()
    management_systems: list[str] = _json_list()
    specialties: list[str] = _json_list()
    focus_groups: list[str] = _json_list()
    service_items: list[dict[str, str]] = _json_list()
    address: str | None = Field(default=None, max_length=256)
    lat: float | None = None
    lon: float | None = None
    contact_phone: str | None = Field(default=None, max_length=32)
    version: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class OfficeRecord(SQLModel, table=True):
    """A community featured social work office, under the station of its township (R5)."""

    __tablename__ = "office"
    __table_args__ = (
        UniqueConstraint("community_code"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    community_code: str = Field(foreign_key="division.code", max_length=12)
    station_id: uuid.UUID = Field(foreign_key="station.id", index=True)
    district_code: str = Field(foreign_key="division.code", max_length=12, index=True)
    name: str = Field(max_length=128)
    is_demonstration: bool = False
    featured_service: str | None = Field(default=None, max_length=500)
    version: int = 1
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class ApiClientRecord(SQLModel, table=True):
    """A machine client; its API key is stored only as a SHA-256 hash."""

    __tablename__ = "api_client"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=100)
    key_prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = _json_list()
    station_id: uuid.UUID | None = Field(default=None, foreign_key="station.id", index=True)
    created_at: datetime = _timestamp()
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class IdempotencyRecord(SQLModel, table=True):
    """The stored response of a creating POST, replayed for the same client and key."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("client_id", "key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    client_id: uuid.UUID = Field(foreign_key="api_client.id")
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)
    status_code: int
    body: str = Field(sa_type=Text)
    location: str | None = Field(default=None, max_length=255)
    resource_version: int | None = None
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


def table(model: type[SQLModel]) -> Table:
    """The Core `Table` behind a table class, for lean reads."""
    result = model.__table__  # type: ignore[attr-defined]
    if not isinstance(result, Table):
        raise TypeError(f"{model.__name__} is not a table class")
    return result


__all__ = [
    "ApiClientRecord",
    "DivisionRecord",
    "IdempotencyRecord",
    "OfficeRecord",
    "StationRecord",
    "table",
    "utcnow",
]
