"""Machine clients, stored idempotent responses and the append-only audit log."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, Identity, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db.tables.columns import json_list, timestamp
from service.db.types import UTCDateTime


class ApiClientRecord(SQLModel, table=True):
    """A machine client; its API key is stored only as a SHA-256 hash."""

    __tablename__ = "api_client"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=100)
    key_prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = json_list()
    station_id: uuid.UUID | None = Field(default=None, foreign_key="station.id", index=True)
    organisation_id: uuid.UUID | None = Field(
        default=None, foreign_key="organisation.id", index=True
    )
    created_at: datetime = timestamp()
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
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


class AuditEventRecord(SQLModel, table=True):
    """Who read or searched for whose personal data, when, and why: append-only (triggers refuse
    changes).

    No foreign keys: the trail outlives the clients and subjects it names.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_subject", "subject_type", "subject_id"),
        Index("ix_audit_event_client_id", "client_id"),
        Index("ix_audit_event_client_station_id", "client_station_id"),
        Index("ix_audit_event_client_organisation_id", "client_organisation_id"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True
        ),
    )
    occurred_at: datetime = timestamp()
    client_id: uuid.UUID
    client_name: str = Field(max_length=100)
    client_station_id: uuid.UUID | None = None  # the client's binding when it acted
    client_organisation_id: uuid.UUID | None = None
    action: str = Field(max_length=64)
    subject_type: str = Field(max_length=32)
    subject_id: uuid.UUID | None = None  # None: a search that found nobody
    fields: list[str] = json_list()
    purpose: str = Field(max_length=200)
    request_id: str = Field(max_length=128)


class LeaseRecord(SQLModel, table=True):
    """A named turn that one process of many holds until it expires (the housekeeping sweep)."""

    __tablename__ = "lease"

    name: str = Field(primary_key=True, max_length=32)
    owner: str = Field(max_length=96)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
