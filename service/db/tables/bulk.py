"""Bulk upsert: the ids other systems give our records, and the jobs with their reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db.tables.columns import timestamp
from service.db.types import JSONDocument


class ExternalIdRecord(SQLModel, table=True):
    """A calling system's id for one of our records: (client, resource, external id) → id."""

    __tablename__ = "external_id"

    client_id: uuid.UUID = Field(foreign_key="api_client.id", primary_key=True)
    resource: str = Field(max_length=32, primary_key=True)
    external_id: str = Field(max_length=128, primary_key=True)
    record_id: uuid.UUID = Field(index=True)
    created_at: datetime = timestamp()


class BulkJobRecord(SQLModel, table=True):
    """One bulk upsert: its counts and its per-line report."""

    __tablename__ = "bulk_job"
    __table_args__ = (UniqueConstraint("client_id", "idempotency_key"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    client_id: uuid.UUID = Field(foreign_key="api_client.id", index=True)
    idempotency_key: str | None = Field(default=None, max_length=255)
    fingerprint: str = Field(max_length=64)  # SHA-256 of the resource and the body
    resource: str = Field(max_length=32)
    status: str = Field(max_length=16)
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    report: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONDocument, nullable=False)
    )
    created_at: datetime = timestamp()
