"""Allocation runs and their assignments; the open requests a run allocates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import and_, bindparam, func, insert, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.outbox import stage_returned
from service.db.reader import Reader, Row
from service.db.repositories.keyset import paged
from service.db.tables import (
    AllocationAssignmentRecord,
    AllocationRunRecord,
    OfferRecord,
    ResourceRequestRecord,
    table,
)
from service.db.types import UTCDateTime
from service.domain.allocation import RunFilter, RunStatus
from service.domain.fulfilment import OFFERABLE
from service.domain.requests import OfferStatus

run = table(AllocationRunRecord)
assignment = table(AllocationAssignmentRecord)
request = table(ResourceRequestRecord)
offer = table(OfferRecord)


_RUN_BY_ID = select(run).where(run.c.id == bindparam("id"))
_ASSIGNMENTS = (
    select(
        assignment.c.request_id,
        assignment.c.provider_type,
        assignment.c.provider_id,
        assignment.c.quantity,
        assignment.c.score,
        assignment.c.explanation,
    )
    .where(assignment.c.run_id == bindparam("run_id"))
    .order_by(assignment.c.request_id, assignment.c.provider_type, assignment.c.provider_id)
)


def _before(key: str | None) -> Any:
    """Runs after `key` in newest-first order; None on the first page (or an unreadable key,
    which the edge's signed page tokens make impossible)."""
    if key is None:
        return None
    try:
        created_text, id_text = orjson.loads(key)
        created_at = datetime.fromisoformat(created_text)
        run_id = uuid.UUID(id_text)
    except (orjson.JSONDecodeError, TypeError, ValueError):
        return None
    if created_at.tzinfo is None:
        return None
    created = bindparam(None, created_at, type_=UTCDateTime(), unique=True)
    return or_(run.c.created_at < created, and_(run.c.created_at == created, run.c.id < run_id))


class AllocationRunRepository:
    """Reads of allocation runs."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, run_id: uuid.UUID) -> Row | None:
        """One run's row, or None."""
        return await self.reader.fetch_one(_RUN_BY_ID, {"id": run_id})

    async def assignments(self, run_id: uuid.UUID) -> list[Row]:
        """A run's assignments, by request then provider."""
        return await self.reader.fetch_all(_ASSIGNMENTS, {"run_id": run_id})

    async def list(self, where: RunFilter, *, key: str | None, limit: int) -> list[Row]:
        """Runs newest first, after the key."""
        query = select(run).order_by(run.c.created_at.desc(), run.c.id.desc()).limit(limit)
        if where.status is not None:
            query = query.where(run.c.status == where.status.value)
        if where.district_code is not None:
            query = query.where(run.c.district_code == where.district_code)
        seek = _before(key)
        if seek is not None:
            query = query.where(seek)
        return await self.reader.fetch_all(paged(query, run.c.created_at, run.c.id))


async def open_requests(reader: Reader, *, district_code: str | None, now: datetime) -> list[Row]:
    """Requests still to be met (every column: matching reads them), with what live proposals
    hold of them.

    Open or partially committed, window not yet ended; by id. (Values are bound inline, not as
    named parameters: the read path's statement cache cannot combine those with an IN list.)
    """
    held = (
        select(func.coalesce(func.sum(offer.c.quantity), 0))
        .where(
            offer.c.request_id == request.c.id,
            offer.c.status == OfferStatus.PROPOSED.value,
            offer.c.expires_at > now,
        )
        .scalar_subquery()
    )
    query = (
        select(request, held.label("held"))
        .where(request.c.status.in_(sorted(s.value for s in OFFERABLE)), request.c.ends_at > now)
        .order_by(request.c.id)
    )
    if district_code is not None:
        query = query.where(request.c.district_code == district_code)
    return await reader.fetch_all(query)


async def requests_for_update(
    session: AsyncSession, request_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ResourceRequestRecord]:
    """The requests, locked until the unit of work ends, taken in id order (one order for
    every locker, so two never wait on each other)."""
    if not request_ids:
        return {}
    query = (
        select(ResourceRequestRecord)
        .where(request.c.id.in_(list(request_ids)))
        .order_by(request.c.id)
        .with_for_update()
    )
    return {record.id: record for record in (await session.scalars(query)).all()}


async def live_offers(
    session: AsyncSession, request_ids: Sequence[uuid.UUID], *, now: datetime
) -> list[Row]:
    """Every live offer (accepted, or proposed and not yet expired) of the requests."""
    if not request_ids:
        return []
    live = or_(
        offer.c.status == OfferStatus.ACCEPTED.value,
        and_(offer.c.status == OfferStatus.PROPOSED.value, offer.c.expires_at > now),
    )
    query = select(
        offer.c.request_id,
        offer.c.provider_type,
        offer.c.provider_id,
        offer.c.status,
        offer.c.quantity,
    ).where(offer.c.request_id.in_(list(request_ids)), live)
    return [dict(row) for row in (await session.execute(query)).mappings()]


async def _changed(session: AsyncSession, statement: Any, *, event: bool = True) -> bool:
    """Run an UPDATE of one run; whether it changed it. A change of status is an event
    (allocation_run.succeeded …), staged for the outbox."""
    if not event:
        result = await session.execute(statement.execution_options(synchronize_session=False))
        return bool(getattr(result, "rowcount", 0) == 1)
    result = await session.execute(
        statement.returning(*run.c).execution_options(synchronize_session=False)
    )
    return await stage_returned(session, "allocation_run", result) == 1


def _held_by(owner: str | None) -> Any:
    """The run is running under `owner`'s lease (any run, when owner is None)."""
    if owner is None:
        return true()
    return and_(run.c.status == RunStatus.RUNNING.value, run.c.lease_owner == owner)


def _lapsed(now: datetime) -> Any:
    """The run's lease has lapsed (or it has none: a run from before leases)."""
    return or_(run.c.lease_expires_at.is_(None), run.c.lease_expires_at <= now)


async def move_run(
    session: AsyncSession,
    run_id: uuid.UUID,
    *,
    expected: RunStatus,
    values: dict[str, Any],
    owner: str | None = None,
) -> bool:
    """Change a run that is in the expected status (and, given an owner, still under its
    lease), atomically; whether it was."""
    return await _changed(
        session,
        update(run)
        .where(run.c.id == run_id, run.c.status == expected.value, _held_by(owner))
        .values(**values),
    )


async def claim_run(
    session: AsyncSession, run_id: uuid.UUID, *, owner: str, now: datetime, until: datetime
) -> bool:
    """Take a queued run, or a running one whose lease has lapsed, under `owner`'s lease
    until `until` (one more attempt); whether it was taken. Compare-and-set: of several
    processes claiming one run at once, one gets it."""
    claimable = or_(
        run.c.status == RunStatus.QUEUED.value,
        and_(run.c.status == RunStatus.RUNNING.value, _lapsed(now)),
    )
    return await _changed(
        session,
        update(run)
        .where(run.c.id == run_id, claimable)
        .values(
            status=RunStatus.RUNNING.value,
            lease_owner=owner,
            lease_expires_at=until,
            attempts=run.c.attempts + 1,
            started_at=func.coalesce(run.c.started_at, now),
        ),
    )


async def renew_lease(
    session: AsyncSession, run_id: uuid.UUID, *, owner: str, until: datetime
) -> bool:
    """Extend the lease of a run `owner` is running; whether it still held it."""
    return await _changed(
        session,
        update(run).where(run.c.id == run_id, _held_by(owner)).values(lease_expires_at=until),
        event=False,  # a renewed lease changes nothing another system cares about
    )


async def hand_back_run(session: AsyncSession, run_id: uuid.UUID, *, owner: str) -> bool:
    """Put a run `owner` was running back in the queue for another process; whether it was."""
    return await _changed(
        session,
        update(run)
        .where(run.c.id == run_id, _held_by(owner))
        .values(status=RunStatus.QUEUED.value, lease_owner=None, lease_expires_at=None),
    )


async def orphaned_runs(
    session: AsyncSession, *, now: datetime, queued_before: datetime, limit: int
) -> list[Row]:
    """Runs no live process is running: queued and not taken by the process that accepted
    them (created before `queued_before`), or running under a lapsed lease (or none, from
    before leases, created before `queued_before`); oldest first."""
    orphaned = or_(
        and_(
            run.c.status == RunStatus.QUEUED.value,
            or_(run.c.created_at < queued_before, run.c.attempts > 0),
        ),
        and_(
            run.c.status == RunStatus.RUNNING.value,
            _lapsed(now),
            or_(run.c.lease_expires_at.is_not(None), run.c.created_at < queued_before),
        ),
    )
    query = select(run.c.id, run.c.attempts).where(orphaned).order_by(run.c.created_at).limit(limit)
    return [dict(row) for row in (await session.execute(query)).mappings()]


async def fail_run(
    session: AsyncSession, run_id: uuid.UUID, values: dict[str, Any], *, owner: str | None = None
) -> bool:
    """Record that a queued or running run failed (given an owner, only while it holds the
    run's lease); whether it was still unfinished."""
    return await _changed(
        session,
        update(run)
        .where(
            run.c.id == run_id,
            run.c.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]),
            _held_by(owner),
        )
        .values(status=RunStatus.FAILED.value, **values),
    )


async def add_assignments(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert a run's assignments in one statement (executemany)."""
    if rows:
        await session.execute(insert(assignment), list(rows))
