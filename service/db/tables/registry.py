"""Reference data and the station registry: divisions, stations, offices."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db.tables.columns import json_list, one_of, timestamp
from service.domain.divisions import DivisionLevel
from service.domain.vocabulary import OperatingMode, StationStatus


class DivisionRecord(SQLModel, table=True):
    """An administrative division of Hangzhou (reference data, loaded by migration)."""

    __tablename__ = "division"
    __table_args__ = (CheckConstraint(one_of("level", DivisionLevel), name="level"),)

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
        CheckConstraint(one_of("status", StationStatus), name="status"),
        CheckConstraint(
            f"operating_mode IS NULL OR {one_of('operating_mode', OperatingMode)}",
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
    facilities: list[str] = json_list()
    management_systems: list[str] = json_list()
    specialties: list[str] = json_list()
    focus_groups: list[str] = json_list()
    service_items: list[dict[str, str]] = json_list()
    address: str | None = Field(default=None, max_length=256)
    lat: float | None = None
    lon: float | None = None
    contact_phone: str | None = Field(default=None, max_length=32)
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


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
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
