"""The outbox of integration events, webhook subscriptions and their deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    FetchedValue,
    Identity,
    Index,
    Integer,
    Text,
)
from sqlmodel import Field, SQLModel

from service.db.tables.columns import json_list, one_of, timestamp
from service.db.types import JSONDocument, UTCDateTime
from service.domain.webhooks import DeliveryStatus, SubscriptionStatus


def _big_identity() -> Any:
    return Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True
        ),
    )


class OutboxEventRecord(SQLModel, table=True):
    """One event, written in the transaction of the change it tells (service/db/outbox.py).

    Its place in the feed is (`txid`, `seq`): on PostgreSQL `txid` is the writing transaction's
    id, and only events of transactions older than every one still running are handed out, so
    a later-committed event never appears before an earlier one (SQLite has one writer: 0).
    """

    __tablename__ = "outbox_event"
    __table_args__ = (
        Index("ix_outbox_event_position", "txid", "seq"),
        Index("ix_outbox_event_station_id", "station_id"),
    )

    seq: int | None = _big_identity()
    txid: int | None = Field(
        default=None,
        sa_column=Column(BigInteger, nullable=False, server_default=FetchedValue()),
    )
    id: uuid.UUID = Field(unique=True)
    type: str = Field(max_length=64)
    occurred_at: datetime = timestamp()
    subject_type: str = Field(max_length=32)
    subject_id: uuid.UUID
    version: int | None = None
    station_id: uuid.UUID | None = None
    division_code: str | None = Field(default=None, max_length=12)
    organisation_id: uuid.UUID | None = None
    data: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONDocument, nullable=False)
    )


class WebhookSubscriptionRecord(SQLModel, table=True):
    """Where a client wants events sent, which ones, and the secrets its deliveries are signed
    with. It belongs to its creator's binding, and carries only events that binding may see."""

    __tablename__ = "webhook_subscription"
    __table_args__ = (CheckConstraint(one_of("status", SubscriptionStatus), name="status"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    url: str = Field(max_length=2048)
    event_types: list[str] = json_list()  # empty: every type
    station_id: uuid.UUID | None = None  # filters
    division_code: str | None = Field(default=None, max_length=12)
    owner_client_id: uuid.UUID
    owner_station_id: uuid.UUID | None = Field(default=None, index=True)
    owner_organisation_id: uuid.UUID | None = Field(default=None, index=True)
    description: str | None = Field(default=None, max_length=200)
    status: str = Field(max_length=16)
    disabled_reason: str | None = Field(default=None, max_length=32)
    # Encrypted with the service's vault (field `webhook_secret`): the relay needs them plain.
    secret: str = Field(max_length=200)
    previous_secret: str | None = Field(default=None, max_length=200)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cursor_txid: int = Field(default=0, sa_type=BigInteger)
    cursor_seq: int = Field(default=0, sa_type=BigInteger)
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class WebhookDeliveryRecord(SQLModel, table=True):
    """One event for one subscription: its attempts and how the receiver last answered."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        CheckConstraint(one_of("status", DeliveryStatus), name="status"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_subscription_seq", "subscription_id", "seq"),
    )

    seq: int | None = _big_identity()
    id: uuid.UUID = Field(default_factory=uuid.uuid4, unique=True)
    subscription_id: uuid.UUID = Field(foreign_key="webhook_subscription.id", ondelete="CASCADE")
    event_id: uuid.UUID
    event_type: str = Field(max_length=64)
    payload: str = Field(sa_type=Text)
    status: str = Field(max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    first_failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = timestamp()
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
