"""Resource requests, the offers that answer them, allocation runs and the volunteer-hour ledger."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, Float, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from service.db.tables.columns import json_list, one_of, timestamp
from service.db.types import JSONDocument, UTCDateTime
from service.domain.offerings import QuantityUnit, ServiceCategory
from service.domain.requests import OfferStatus, ProviderType, RequestStatus, Urgency


def _instant() -> Any:
    return Field(sa_type=UTCDateTime, nullable=False)


def _maybe_instant() -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True)


class ResourceRequestRecord(SQLModel, table=True):
    """What a station needs, where, when and how much; committed never exceeds requested."""

    __tablename__ = "resource_request"
    __table_args__ = (
        CheckConstraint(one_of("category", ServiceCategory), name="category"),
        CheckConstraint(one_of("unit", QuantityUnit), name="unit"),
        CheckConstraint(one_of("urgency", Urgency), name="urgency"),
        CheckConstraint(one_of("status", RequestStatus), name="status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "committed_quantity >= 0 AND committed_quantity <= quantity", name="committed"
        ),
        CheckConstraint("fulfilled_quantity >= 0", name="fulfilled"),
        CheckConstraint("ends_at > starts_at", name="window"),
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="location_complete"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_resource_request_status_ends_at", "status", "ends_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    station_id: uuid.UUID = Field(foreign_key="station.id", index=True)
    office_id: uuid.UUID | None = Field(default=None, foreign_key="office.id", index=True)
    district_code: str = Field(foreign_key="division.code", max_length=12, index=True)
    division_code: str = Field(foreign_key="division.code", max_length=12)
    title: str = Field(max_length=128)
    description: str | None = Field(default=None, sa_type=Text)
    category: str = Field(max_length=32, index=True)
    required_skills: list[str] = json_list()
    preferred_skills: list[str] = json_list()
    target_groups: list[str] = json_list()
    quantity: int
    unit: str = Field(max_length=16)
    lat: float | None = None
    lon: float | None = None
    starts_at: datetime = _instant()
    ends_at: datetime = _instant()
    urgency: str = Field(max_length=16)
    status: str = Field(max_length=24)
    committed_quantity: int = 0
    fulfilled_quantity: int = 0
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


LIVE_OFFER = f"status IN ('{OfferStatus.PROPOSED.value}', '{OfferStatus.ACCEPTED.value}')"


class OfferRecord(SQLModel, table=True):
    """A provider offered (part of) a request; it holds the provider's capacity while live.

    The window is the request's, copied so that overlapping bookings of one provider can be
    found with one indexed query.
    """

    __tablename__ = "offer"
    __table_args__ = (
        CheckConstraint(one_of("provider_type", ProviderType), name="provider_type"),
        CheckConstraint(one_of("status", OfferStatus), name="status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
        CheckConstraint("actual_quantity IS NULL OR actual_quantity >= 0", name="actual"),
        CheckConstraint("volunteer_hours IS NULL OR volunteer_hours >= 0", name="hours"),
        CheckConstraint("beneficiaries IS NULL OR beneficiaries >= 0", name="beneficiaries"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_offer_provider", "provider_type", "provider_id", "status"),
        # The live offers (few, however many are done): what holds each provider's capacity.
        Index(
            "ix_offer_live",
            "provider_type",
            "ends_at",
            postgresql_where=text(LIVE_OFFER),
            sqlite_where=text(LIVE_OFFER),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    request_id: uuid.UUID = Field(foreign_key="resource_request.id", index=True)
    station_id: uuid.UUID = Field(foreign_key="station.id", index=True)
    provider_type: str = Field(max_length=24)
    provider_id: uuid.UUID
    quantity: int
    status: str = Field(max_length=16)
    # Why a proposal lapsed before its hold ran out: the request stopped taking offers.
    lapse_reason: str | None = Field(default=None, max_length=32)
    starts_at: datetime = _instant()
    ends_at: datetime = _instant()
    expires_at: datetime = _instant()
    score: float | None = None
    explanation: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONDocument, nullable=False)
    )
    allocation_run_id: uuid.UUID | None = Field(
        default=None, foreign_key="allocation_run.id", index=True
    )
    offered_by_client_id: uuid.UUID | None = None
    responded_at: datetime | None = _maybe_instant()
    responded_by_client_id: uuid.UUID | None = None
    responded_on_behalf: bool = False
    completed_at: datetime | None = _maybe_instant()
    actual_quantity: int | None = None
    volunteer_hours: float | None = Field(default=None, sa_type=Float)
    beneficiaries: int | None = None
    outcome_note: str | None = Field(default=None, max_length=2000)
    rating: int | None = None
    rating_note: str | None = Field(default=None, max_length=1000)
    rated_at: datetime | None = _maybe_instant()
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class AllocationRunRecord(SQLModel, table=True):
    """A batch allocation of open requests to candidates, solved once, applied at most once."""

    __tablename__ = "allocation_run"
    __table_args__ = (
        CheckConstraint(
            one_of("status", ("queued", "running", "succeeded", "failed", "applied")),
            name="status",
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    district_code: str | None = Field(default=None, foreign_key="division.code", max_length=12)
    status: str = Field(max_length=16, index=True)
    requested_by_client_id: uuid.UUID
    request_count: int = 0
    candidate_count: int = 0
    assignment_count: int = 0
    total_score: float = Field(default=0.0, sa_type=Float)
    solver_seconds: float | None = Field(default=None, sa_type=Float)
    total_seconds: float | None = Field(default=None, sa_type=Float)
    error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = timestamp()
    started_at: datetime | None = _maybe_instant()
    finished_at: datetime | None = _maybe_instant()
    applied_at: datetime | None = _maybe_instant()
    # The process running it and until when (renewed while it runs); a run whose lease has
    # lapsed is taken over by another process, at most MAX_ATTEMPTS tries in all.
    lease_owner: str | None = Field(default=None, max_length=96)
    lease_expires_at: datetime | None = _maybe_instant()
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class AllocationAssignmentRecord(SQLModel, table=True):
    """One proposed assignment of an allocation run."""

    __tablename__ = "allocation_assignment"
    __table_args__ = (
        UniqueConstraint("run_id", "request_id", "provider_type", "provider_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    run_id: uuid.UUID = Field(foreign_key="allocation_run.id", index=True)
    request_id: uuid.UUID = Field(foreign_key="resource_request.id", index=True)
    provider_type: str = Field(max_length=24)
    provider_id: uuid.UUID
    quantity: int
    score: float = Field(sa_type=Float)
    explanation: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONDocument, nullable=False)
    )


class ServiceRecordRecord(SQLModel, table=True):
    """A volunteer's recorded service (民政部令第67号 志愿服务记录): one per completed offer."""

    __tablename__ = "service_record"
    __table_args__ = (
        UniqueConstraint("offer_id", "volunteer_id"),
        CheckConstraint("hours > 0", name="hours_positive"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    volunteer_id: uuid.UUID = Field(foreign_key="volunteer.id", index=True)
    offer_id: uuid.UUID = Field(foreign_key="offer.id", index=True)
    organisation_name: str = Field(max_length=128)
    project: str = Field(max_length=128)
    service_date: date = Field(index=True)
    hours: float = Field(sa_type=Float)
    content: str = Field(max_length=2000)
    recorder: str = Field(max_length=100)
    created_at: datetime = timestamp()
