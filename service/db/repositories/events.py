"""The change feed and the webhook relay's tables: reading events in a safe order, claiming
due deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    exists,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from service.db.reader import Reader, Row
from service.db.repositories.keyset import paged
from service.db.tables import (
    OutboxEventRecord,
    WebhookDeliveryRecord,
    WebhookSubscriptionRecord,
    table,
)
from service.domain.events import Audience, Event
from service.domain.webhooks import DeliveryStatus, SubscriptionStatus

outbox_event = table(OutboxEventRecord)
subscription = table(WebhookSubscriptionRecord)
delivery = table(WebhookDeliveryRecord)

# Beyond every transaction id: SQLite's events (txid 0) are all visible once committed.
NO_HORIZON = 2**62


@dataclass(frozen=True, slots=True)
class Position:
    """An event's place in the feed: (txid, seq), compared as a pair."""

    txid: int
    seq: int

    def cursor(self) -> str:
        """The public cursor: `<txid>.<seq>`."""
        return f"{self.txid}.{self.seq}"

    @classmethod
    def parse(cls, cursor: str) -> Position | None:
        """A cursor back as a position; None when it is not one."""
        txid, _, seq = cursor.partition(".")
        if not (txid.isascii() and txid.isdigit() and seq.isascii() and seq.isdigit()):
            return None
        if len(txid) > 18 or len(seq) > 18:
            return None
        return cls(int(txid), int(seq))


START = Position(0, 0)


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What a reader of the feed asks for, within what its binding lets it see."""

    audience: Audience
    types: tuple[str, ...] = ()
    station_id: uuid.UUID | None = None
    division_code: str | None = None


def horizon(dialect: str) -> ColumnElement[Any]:
    """Events of transactions below this id are all committed or gone: on PostgreSQL the oldest
    transaction still running (`pg_snapshot_xmin`), evaluated by the statement that reads."""
    if dialect == "postgresql":
        return literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", BigInteger)
    return literal(NO_HORIZON, BigInteger)


def _conditions(where: EventFilter, dialect: str, after: Position) -> list[ColumnElement[bool]]:
    c = outbox_event.c
    conditions: list[ColumnElement[bool]] = [
        tuple_(c.txid, c.seq) > tuple_(literal(after.txid), literal(after.seq)),
        c.txid < horizon(dialect),
    ]
    if where.audience.station_id is not None:
        conditions.append(c.station_id == where.audience.station_id)
    if where.audience.organisation_id is not None:
        conditions.append(c.organisation_id == where.audience.organisation_id)
    if where.types:
        conditions.append(c.type.in_(where.types))
    if where.station_id is not None:
        conditions.append(c.station_id == where.station_id)
    if where.division_code is not None:
        conditions.append(c.division_code == where.division_code)
    return conditions


def feed_query(where: EventFilter, *, dialect: str, after: Position, limit: int) -> Any:
    """The events after a position, in feed order, that this filter lets through."""
    return (
        select(outbox_event)
        .where(*_conditions(where, dialect, after))
        .order_by(outbox_event.c.txid, outbox_event.c.seq)
        .limit(limit)
    )


async def read_feed(
    reader: Reader, where: EventFilter, *, dialect: str, after: Position, limit: int
) -> list[Row]:
    """A page of the feed."""
    return await reader.fetch_all(feed_query(where, dialect=dialect, after=after, limit=limit))


async def feed_end(reader: Reader, *, dialect: str) -> Position:
    """The position of the last event handed out so far (a new subscriber starts there)."""
    c = outbox_event.c
    row = await reader.fetch_one(
        select(c.txid, c.seq)
        .where(c.txid < horizon(dialect))
        .order_by(c.txid.desc(), c.seq.desc())
        .limit(1)
    )
    return Position(int(row["txid"]), int(row["seq"])) if row else START


def event_of(row: Row) -> Event:
    """A stored event as the domain's."""
    return Event(
        id=row["id"],
        type=row["type"],
        occurred_at=row["occurred_at"],
        subject_type=row["subject_type"],
        subject_id=row["subject_id"],
        version=row["version"],
        station_id=row["station_id"],
        division_code=row["division_code"],
        organisation_id=row["organisation_id"],
        data=dict(row["data"] or {}),
    )


# --- Subscriptions ------------------------------------------------------------------------------


def owned_by(audience: Audience) -> list[ColumnElement[bool]]:
    """The subscriptions of a binding (the bureau's clients see them all)."""
    if audience.station_id is not None:
        return [subscription.c.owner_station_id == audience.station_id]
    if audience.organisation_id is not None:
        return [subscription.c.owner_organisation_id == audience.organisation_id]
    return []


async def list_subscriptions(
    reader: Reader, audience: Audience, *, after: str | None, limit: int
) -> list[Row]:
    """A page of subscriptions in creation order (id as tie-break)."""
    query = select(subscription).where(*owned_by(audience))
    if after is not None:
        query = query.where(subscription.c.id > uuid.UUID(after))
    query = paged(query.order_by(subscription.c.id), subscription.c.updated_at, subscription.c.id)
    return await reader.fetch_all(query.limit(limit))


async def get_subscription(
    session: AsyncSession, subscription_id: uuid.UUID, audience: Audience, *, lock: bool = False
) -> WebhookSubscriptionRecord | None:
    """One subscription of this audience's, locked for a change when asked."""
    query = select(WebhookSubscriptionRecord).where(
        WebhookSubscriptionRecord.id == subscription_id,  # type: ignore[arg-type]
        *owned_by(audience),
    )
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalars().first()


async def list_deliveries(
    reader: Reader, subscription_id: uuid.UUID, *, before_seq: int | None, limit: int
) -> list[Row]:
    """A subscription's deliveries, newest first."""
    query = select(delivery).where(delivery.c.subscription_id == subscription_id)
    if before_seq is not None:
        query = query.where(delivery.c.seq < before_seq)
    query = paged(query.order_by(delivery.c.seq.desc()), delivery.c.created_at, delivery.c.seq)
    return await reader.fetch_all(query.limit(limit))


# --- The relay ----------------------------------------------------------------------------------


async def subscriptions_to_fill(
    session: AsyncSession, *, dialect: str, limit: int
) -> Sequence[WebhookSubscriptionRecord]:
    """Active and paused subscriptions, each locked by one relay at a time (others skip it)."""
    query = (
        select(WebhookSubscriptionRecord)
        .where(
            WebhookSubscriptionRecord.status.in_(  # type: ignore[attr-defined]
                [SubscriptionStatus.ACTIVE.value, SubscriptionStatus.PAUSED.value]
            )
        )
        .order_by(WebhookSubscriptionRecord.id)  # type: ignore[arg-type]
        .limit(limit)
    )
    if dialect == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return (await session.execute(query)).scalars().all()


async def current_horizon(session: AsyncSession, *, dialect: str) -> int:
    """The horizon now (run first in a transaction, before it takes a transaction id)."""
    return int((await session.execute(select(horizon(dialect)))).scalar_one())


async def events_for(
    session: AsyncSession, record: WebhookSubscriptionRecord, *, below: int, limit: int
) -> list[Row]:
    """The events after a subscription's cursor, below a horizon taken earlier, that its
    filters and its owner's binding let through."""
    where = EventFilter(
        audience=Audience(record.owner_station_id, record.owner_organisation_id),
        types=tuple(record.event_types),
        station_id=record.station_id,
        division_code=record.division_code,
    )
    c = outbox_event.c
    conditions = _conditions(where, "sqlite", Position(record.cursor_txid, record.cursor_seq))
    conditions[1] = c.txid < below
    query = select(outbox_event).where(*conditions).order_by(c.txid, c.seq).limit(limit)
    return [dict(row) for row in (await session.execute(query)).mappings()]


async def last_visible(session: AsyncSession, *, below: int) -> Position:
    """The last event position below the horizon: where the subscription's cursor may move to
    when none of the events up to there were for it."""
    c = outbox_event.c
    row = (
        (
            await session.execute(
                select(c.txid, c.seq)
                .where(c.txid < below)
                .order_by(c.txid.desc(), c.seq.desc())
                .limit(1)
            )
        )
        .mappings()
        .first()
    )
    return Position(int(row["txid"]), int(row["seq"])) if row else START


def _head_of_line() -> ColumnElement[bool]:
    """No earlier pending delivery of the same subscription: each is sent in order."""
    earlier = aliased(delivery)
    return ~exists(
        select(earlier.c.seq).where(
            earlier.c.subscription_id == delivery.c.subscription_id,
            earlier.c.status == DeliveryStatus.PENDING.value,
            earlier.c.seq < delivery.c.seq,
        )
    )


async def claim_due(
    session: AsyncSession, *, dialect: str, now: datetime, lease_until: datetime, limit: int
) -> list[Row]:
    """Claim due deliveries (each the oldest pending of an active subscription) until the lease
    ends: `next_attempt_at` moves to `lease_until`, so nobody else takes them meanwhile. On
    PostgreSQL the rows are locked with SKIP LOCKED: relays running at once claim apart."""
    query = (
        select(delivery.c.seq)
        .join(subscription, subscription.c.id == delivery.c.subscription_id)
        .where(
            delivery.c.status == DeliveryStatus.PENDING.value,
            delivery.c.next_attempt_at <= now,
            subscription.c.status == SubscriptionStatus.ACTIVE.value,
            _head_of_line(),
        )
        .order_by(delivery.c.next_attempt_at, delivery.c.seq)
        .limit(limit)
    )
    if dialect == "postgresql":
        query = query.with_for_update(of=delivery, skip_locked=True)
    seqs = [int(s) for s in (await session.execute(query)).scalars()]
    if not seqs:
        return []
    await session.execute(
        update(delivery).where(delivery.c.seq.in_(seqs)).values(next_attempt_at=lease_until)
    )
    rows = await session.execute(
        select(
            delivery,
            subscription.c.url,
            subscription.c.secret,
            subscription.c.previous_secret,
            subscription.c.previous_secret_expires_at,
        )
        .join(subscription, subscription.c.id == delivery.c.subscription_id)
        .where(delivery.c.seq.in_(seqs))
        .order_by(delivery.c.seq)
    )
    return [dict(row) for row in rows.mappings()]


async def record_attempt(session: AsyncSession, seq: int, values: dict[str, Any]) -> None:
    """Store how an attempt went."""
    await session.execute(update(delivery).where(delivery.c.seq == seq).values(**values))


def pending_of(subscription_id: uuid.UUID) -> ColumnElement[bool]:
    """A subscription's pending deliveries."""
    return and_(
        delivery.c.subscription_id == subscription_id,
        delivery.c.status == DeliveryStatus.PENDING.value,
    )


def any_of(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """Either condition (a re-export that keeps use cases free of SQLAlchemy)."""
    return or_(*conditions)
