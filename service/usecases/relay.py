"""The webhook relay's steps: queue each subscription's new events as deliveries, claim the due
ones, record how each attempt went. Sending is the caller's (service/relay.py)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from service.db.outbox import stage
from service.db.reader import Row
from service.db.repositories import events as repo
from service.db.repositories.events import Position
from service.db.tables import WebhookDeliveryRecord, WebhookSubscriptionRecord
from service.domain.events import Event
from service.domain.webhooks import DeliveryStatus, Outcome, SubscriptionStatus, outcome_of
from service.pii import PiiVault
from service.usecases.common import Services, unit_of_work
from service.usecases.events import SECRET_FIELD


@dataclass(frozen=True, slots=True)
class Attempt:
    """One delivery to send now."""

    seq: int
    id: uuid.UUID
    subscription_id: uuid.UUID
    url: str
    payload: bytes
    secrets: tuple[str, ...]
    attempts: int
    first_failed_at: datetime | None

    @property
    def message_id(self) -> str:
        """The `webhook-id`: the same on every attempt of this delivery."""
        return f"msg_{self.id.hex}"


@dataclass(frozen=True, slots=True)
class Answer:
    """How the receiver answered: a status code, or an error before one."""

    status_code: int | None
    error: str | None = None


def webhook_body(event: Event, now: datetime) -> str:
    """A delivery's body, as Standard Webhooks suggests: type, timestamp and the event."""
    return orjson.dumps(
        {
            "type": event.type,
            "timestamp": now.isoformat().replace("+00:00", "Z"),
            "data": event.as_json(),
        }
    ).decode()


async def fill(services: Services, *, batch: int = 500) -> int:
    """Queue every subscription's new events as deliveries, in feed order; how many."""
    dialect = services.database.dialect
    queued = 0
    async with unit_of_work(services.database) as session:
        below = await repo.current_horizon(session, dialect=dialect)  # before any lock
        for record in await repo.subscriptions_to_fill(session, dialect=dialect, limit=100):
            rows = await repo.events_for(session, record, below=below, limit=batch)
            now = services.clock()
            for row in rows:
                event = repo.event_of(row)
                session.add(
                    WebhookDeliveryRecord(
                        subscription_id=record.id,
                        event_id=event.id,
                        event_type=event.type,
                        payload=webhook_body(event, now),
                        status=DeliveryStatus.PENDING.value,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
                await session.flush()  # in feed order: each gets the next seq
            if len(rows) == batch:
                last = rows[-1]
                position = Position(int(last["txid"]), int(last["seq"]))
            else:
                position = await repo.last_visible(session, below=below)
            if (position.txid, position.seq) > (record.cursor_txid, record.cursor_seq):
                record.cursor_txid, record.cursor_seq = position.txid, position.seq
            queued += len(rows)
    return queued


def _attempt(row: Row, now: datetime, vault: PiiVault) -> Attempt:
    secrets = [vault.decrypt(row["secret"], field=SECRET_FIELD)]
    expires = row["previous_secret_expires_at"]
    if row["previous_secret"] and expires is not None and expires > now:
        secrets.append(vault.decrypt(row["previous_secret"], field=SECRET_FIELD))
    return Attempt(
        seq=int(row["seq"]),
        id=row["id"],
        subscription_id=row["subscription_id"],
        url=row["url"],
        payload=str(row["payload"]).encode(),
        secrets=tuple(secrets),
        attempts=int(row["attempts"]),
        first_failed_at=row["first_failed_at"],
    )


async def claim(services: Services, *, lease: timedelta, limit: int) -> list[Attempt]:
    """Claim due deliveries for this relay, for the lease."""
    now = services.clock()
    async with unit_of_work(services.database) as session:
        rows = await repo.claim_due(
            session,
            dialect=services.database.dialect,
            now=now,
            lease_until=now + lease,
            limit=limit,
        )
    return [_attempt(row, now, services.vault) for row in rows]


async def _disable(session: Any, subscription_id: uuid.UUID, reason: str, now: datetime) -> None:
    record = await session.get(WebhookSubscriptionRecord, subscription_id, with_for_update=True)
    if record is None or record.status == SubscriptionStatus.DISABLED.value:
        return
    record.status = SubscriptionStatus.DISABLED.value
    record.disabled_reason = reason
    record.version += 1
    record.updated_at = now
    stage(
        session,
        Event(
            id=uuid.uuid4(),
            type="webhook_subscription.disabled",
            occurred_at=now,
            subject_type="webhook_subscription",
            subject_id=record.id,
            version=record.version,
            station_id=record.owner_station_id,
            organisation_id=record.owner_organisation_id,
            data={"status": SubscriptionStatus.DISABLED.value, "reason": reason},
        ),
    )


async def record(services: Services, attempt: Attempt, answer: Answer) -> Outcome:
    """Store an attempt's answer: delivered; retried after a back-off; or, on 410 or after the
    retry window, failed for good with its subscription disabled (and an event saying so)."""
    now = services.clock()
    outcome = outcome_of(answer.status_code)
    values: dict[str, Any] = {
        "attempts": attempt.attempts + 1,
        "last_attempt_at": now,
        "last_status_code": answer.status_code,
        "last_error": (answer.error or None) and str(answer.error)[:300],
    }
    policy = services.webhooks.retry
    async with unit_of_work(services.database) as session:
        if outcome is Outcome.DELIVERED:
            values |= {"status": DeliveryStatus.DELIVERED.value, "delivered_at": now}
        elif outcome is Outcome.GONE:
            values |= {"status": DeliveryStatus.FAILED.value}
            await _disable(session, attempt.subscription_id, "gone", now)
        else:
            first_failed = attempt.first_failed_at or now
            values["first_failed_at"] = first_failed
            if policy.gives_up(now - first_failed):
                values |= {"status": DeliveryStatus.FAILED.value}
                await _disable(session, attempt.subscription_id, "failing", now)
            else:
                values["next_attempt_at"] = now + policy.delay(attempt.attempts + 1)
        await repo.record_attempt(session, attempt.seq, values)
    return outcome


Send = Callable[[Attempt], Awaitable[Answer]]


async def relay_once(
    services: Services, send: Send, *, lease: timedelta, limit: int
) -> tuple[int, int]:
    """One round: queue new events, then send what is due; (queued, sent)."""
    queued = await fill(services)
    sent = 0
    while True:
        attempts = await claim(services, lease=lease, limit=limit)
        if not attempts:
            break
        for attempt in attempts:
            await record(services, attempt, await send(attempt))
            sent += 1
    return queued, sent
