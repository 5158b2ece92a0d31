"""The linkage graph: dated, typed ties between a station and a partner (or another station)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from service.db.tables.columns import one_of, timestamp
from service.domain.linkages import LinkageKind, LinkageStatus, PartnerType


class LinkageRecord(SQLModel, table=True):
    """A linkage; the partner is named by type and id (its registry is not fixed)."""

    __tablename__ = "linkage"
    __table_args__ = (
        CheckConstraint(one_of("kind", LinkageKind), name="kind"),
        CheckConstraint(one_of("partner_type", PartnerType), name="partner_type"),
        CheckConstraint(one_of("status", LinkageStatus), name="status"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_linkage_partner", "partner_type", "partner_id"),
        # R9: at most one active operating contract per station, whatever the race.
        Index(
            "uq_linkage_one_active_operating_contract",
            "station_id",
            unique=True,
            postgresql_where=text("kind = 'operating_contract' AND status = 'active'"),
            sqlite_where=text("kind = 'operating_contract' AND status = 'active'"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    station_id: uuid.UUID = Field(foreign_key="station.id", index=True)
    kind: str = Field(max_length=32, index=True)
    partner_type: str = Field(max_length=32)
    partner_id: uuid.UUID
    starts_on: date
    ends_on: date | None = None
    status: str = Field(default=LinkageStatus.ACTIVE.value, max_length=16)
    agreement_reference: str | None = Field(default=None, max_length=128)
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
