"""Use cases of the change feed and of webhook subscriptions."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Row
from service.db.repositories import events as repo
from service.db.repositories.events import EventFilter, Position
from service.db.tables import WebhookSubscriptionRecord
from service.domain.access import Caller, outside_binding
from service.domain.errors import FieldProblem, NotFound, rule_violation
from service.domain.events import EVENT_TYPES, Audience, Event
from service.domain.webhooks import (
    SubscriptionStatus,
    new_secret,
    url_problem,
)
from service.schemas.encoding import View
from service.schemas.events import (
    EventRead,
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionWithSecret,
)
from service.usecases.common import KeysetPage, Services, unit_of_work
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once
from service.usecases.webhook_policy import UnsafeAddress, WebhookPolicy, safe_addresses

# --- The feed -----------------------------------------------------------------------------------


def event_read(row: Row) -> EventRead:
    """A stored event as the API shows it."""
    event: Event = repo.event_of(row)
    cursor = Position(int(row["txid"]), int(row["seq"])).cursor()
    return EventRead.model_validate({"cursor": cursor, **event.as_json()})


async def read_feed(
    services: Services,
    *,
    caller: Caller,
    after: str | None,
    types: tuple[str, ...],
    station_id: uuid.UUID | None,
    division_code: str | None,
    limit: int,
) -> tuple[list[EventRead], str]:
    """The events after a cursor that the caller's binding lets it see, oldest first."""
    unknown = [name for name in types if name not in EVENT_TYPES]
    if unknown:
        raise rule_violation(
            [
                FieldProblem(
                    "type", f"no event type {name!r} in the catalogue", code="unknown_event_type"
                )
                for name in unknown[:5]
            ]
        )
    start = repo.START
    if after is not None:
        parsed = Position.parse(after)
        if parsed is None:
            raise rule_violation(
                [FieldProblem("after", "a cursor from this feed", code="invalid_cursor")]
            )
        start = parsed
    where = EventFilter(
        audience=Audience.of(caller),
        types=types,
        station_id=station_id,
        division_code=division_code,
    )
    async with services.database.read() as reader:
        rows = await repo.read_feed(
            reader, where, dialect=services.database.dialect, after=start, limit=limit
        )
    items = [event_read(row) for row in rows]
    return items, items[-1].cursor if items else start.cursor()


# --- Subscriptions ------------------------------------------------------------------------------


def subscription_view(record: WebhookSubscriptionRecord | Row) -> View[SubscriptionRead]:
    """A subscription as the API shows it (without secrets)."""
    values = dict(record) if isinstance(record, dict) else record.model_dump()
    return View(SubscriptionRead, values)


def subscription_read(record: WebhookSubscriptionRecord | Row) -> SubscriptionRead:
    """A subscription as its validated response model."""
    return subscription_view(record).validated()


SECRET_FIELD = "webhook_secret"  # noqa: S105 - the vault field name; secrets stored encrypted


def _with_secret(record: WebhookSubscriptionRecord, secret: str) -> SubscriptionWithSecret:
    return SubscriptionWithSecret.model_validate(record.model_dump() | {"secret": secret})


async def check_url(policy: WebhookPolicy, url: str) -> None:
    """Refuse a receiver URL we may not call: its form, then every address its host has."""
    problem = url_problem(url, allow_loopback=policy.allow_loopback)
    if problem is None:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            await safe_addresses(policy, host, port)
        except UnsafeAddress as exc:
            problem = str(exc)
    if problem is not None:
        raise rule_violation([FieldProblem("url", problem, code="unsafe_webhook_url")])


async def create_subscription(
    services: Services,
    *,
    caller: Caller,
    data: SubscriptionCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Subscribe a receiver; it gets events from now on, signed with the secret returned (a
    replay under the same Idempotency-Key returns the same secret)."""
    url = str(data.url)
    await check_url(services.webhooks, url)
    audience = Audience.of(caller)
    station_id = data.station_id
    if audience.station_id is not None and station_id not in (None, audience.station_id):
        raise outside_binding(caller, f"the events of station {station_id}")

    async def create(session: AsyncSession) -> Created:
        now = services.clock()
        secret = new_secret()
        below = await repo.current_horizon(session, dialect=services.database.dialect)
        start = await repo.last_visible(session, below=below)
        record = WebhookSubscriptionRecord(
            url=url,
            event_types=list(data.event_types),
            station_id=station_id,
            division_code=data.division_code,
            owner_client_id=caller.client_id,
            owner_station_id=caller.station_id,
            owner_organisation_id=caller.organisation_id,
            description=data.description,
            status=SubscriptionStatus.ACTIVE.value,
            secret=services.vault.encrypt(secret, field=SECRET_FIELD),
            cursor_txid=start.txid,
            cursor_seq=start.seq,
            created_at=now,
            updated_at=now,
        )
        session.add(record)
        await session.flush()
        return Created(
            body=_with_secret(record, secret),
            location=f"/v1/webhook-subscriptions/{record.id}",
            version=record.version,
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def list_subscriptions(
    services: Services, *, caller: Caller, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """The subscriptions of the caller's binding, as the values SubscriptionRead shows."""
    async with services.database.read() as reader:
        rows = await repo.list_subscriptions(
            reader, Audience.of(caller), after=after, limit=limit + 1
        )
    return KeysetPage.of(
        [subscription_view(row).values for row in rows], limit=limit, key=lambda s: str(s["id"])
    )


async def _load(
    session: Any, caller: Caller, subscription_id: uuid.UUID
) -> WebhookSubscriptionRecord:
    record = await repo.get_subscription(session, subscription_id, Audience.of(caller), lock=True)
    if record is None:
        raise NotFound(f"no webhook subscription with id {subscription_id}")
    return record


async def get_subscription(
    services: Services, *, caller: Caller, subscription_id: uuid.UUID
) -> View[SubscriptionRead]:
    """One subscription of the caller's binding."""
    async with services.database.session() as session:
        record = await repo.get_subscription(session, subscription_id, Audience.of(caller))
        if record is None:
            raise NotFound(f"no webhook subscription with id {subscription_id}")
        return subscription_view(record)


async def set_status(
    services: Services,
    *,
    caller: Caller,
    subscription_id: uuid.UUID,
    status: SubscriptionStatus,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Pause (deliveries wait) or resume (a disabled one too: it starts over from its next
    pending delivery) a subscription."""

    async def change(session: AsyncSession) -> Created:
        record = await _load(session, caller, subscription_id)
        if record.status != status.value:
            record.status = status.value
            record.disabled_reason = None
            record.version += 1
            record.updated_at = services.clock()
            await session.flush()
        return _answer(subscription_read(record), record)

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=change)


def _answer(body: SubscriptionRead, record: WebhookSubscriptionRecord) -> Created:
    location = f"/v1/webhook-subscriptions/{record.id}"
    return Created(body=body, location=location, version=record.version, status_code=200)


async def rotate_secret(
    services: Services,
    *,
    caller: Caller,
    subscription_id: uuid.UUID,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """A new signing secret; the old one still signs deliveries for the grace period (a replay
    under the same Idempotency-Key answers the same secret, rotating once)."""

    async def rotate(session: AsyncSession) -> Created:
        now = services.clock()
        record = await _load(session, caller, subscription_id)
        record.previous_secret = record.secret
        record.previous_secret_expires_at = now + services.webhooks.secret_grace
        secret = new_secret()
        record.secret = services.vault.encrypt(secret, field=SECRET_FIELD)
        record.version += 1
        record.updated_at = now
        await session.flush()
        return _answer(_with_secret(record, secret), record)

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=rotate)


async def delete_subscription(
    services: Services, *, caller: Caller, subscription_id: uuid.UUID
) -> None:
    """Delete a subscription and its deliveries."""
    async with unit_of_work(services.database) as session:
        record = await _load(session, caller, subscription_id)
        await session.delete(record)


async def list_deliveries(
    services: Services,
    *,
    caller: Caller,
    subscription_id: uuid.UUID,
    before: str | None,
    limit: int,
) -> KeysetPage[dict[str, Any]]:
    """A subscription's deliveries, newest first, as the values DeliveryRead shows."""
    await get_subscription(services, caller=caller, subscription_id=subscription_id)
    before_seq = int(before) if before is not None and before.isdigit() else None
    async with services.database.read() as reader:
        rows = await repo.list_deliveries(
            reader, subscription_id, before_seq=before_seq, limit=limit + 1
        )
    page = KeysetPage.of(rows, limit=limit, key=lambda row: str(row["seq"]))
    items = [
        row | {"next_attempt_at": row["next_attempt_at"] if row["status"] == "pending" else None}
        for row in page.items
    ]
    return KeysetPage(items=items, next_after=page.next_after)
