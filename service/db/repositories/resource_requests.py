"""Resource requests: lean reads by id and by filter (window order), locked loads for changes,
and the bulk status changes that release a request's offers or expire what is overdue."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, bindparam, case, exists, func, null, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.outbox import stage_returned
from service.db.reader import Reader, Row
from service.db.repositories.keyset import after, paged
from service.db.repositories.offers import requests_offered_to
from service.db.tables import OfferRecord, ResourceRequestRecord, table
from service.domain.requests import (
    LIVE_OFFER,
    LapseReason,
    OfferStatus,
    RequestFilter,
    RequestStatus,
    lapse_reason,
)

resource_request = table(ResourceRequestRecord)
offer = table(OfferRecord)
_BY_ID = select(resource_request).where(resource_request.c.id == bindparam("id"))


class ResourceRequestRepository:
    """Reads of resource requests."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, request_id: uuid.UUID) -> Row | None:
        """One request's row, or None."""
        return await self.reader.fetch_one(_BY_ID, {"id": request_id})

    async def offered_to(self, request_id: uuid.UUID, organisation_id: uuid.UUID) -> bool:
        """Whether the request has an offer the organisation answers for."""
        found = await self.reader.scalar(
            requests_offered_to(organisation_id).where(offer.c.request_id == request_id).limit(1)
        )
        return found is not None

    async def list(self, where: RequestFilter, *, key: str | None, limit: int) -> list[Row]:
        """Requests in window order (start, then id) after the key."""
        columns = resource_request.c
        query = select(resource_request).order_by(columns.starts_at, columns.id).limit(limit)
        if where.visible_to is not None:
            query = query.where(columns.station_id == where.visible_to)
        if where.visible_to_organisation is not None:
            query = query.where(columns.id.in_(requests_offered_to(where.visible_to_organisation)))
        if where.station_id is not None:
            query = query.where(columns.station_id == where.station_id)
        if where.district_code is not None:
            query = query.where(columns.district_code == where.district_code)
        if where.status is not None:
            query = query.where(columns.status == where.status.value)
        if where.category is not None:
            query = query.where(columns.category == where.category.value)
        if where.urgency is not None:
            query = query.where(columns.urgency == where.urgency.value)
        if where.window_from is not None:
            query = query.where(columns.ends_at > where.window_from)
        if where.window_to is not None:
            query = query.where(columns.starts_at < where.window_to)
        seek = after((columns.starts_at, columns.id), key)
        if seek is not None:
            query = query.where(seek)
        return await self.reader.fetch_all(paged(query, columns.updated_at, columns.id))


def add_request(session: AsyncSession, record: ResourceRequestRecord) -> None:
    """Stage a new request."""
    session.add(record)


async def request_for_update(
    session: AsyncSession, request_id: uuid.UUID
) -> ResourceRequestRecord | None:
    """The request, locked against concurrent changes (and offers) until the unit of work ends."""
    return await session.get(ResourceRequestRecord, request_id, with_for_update=True)


async def live_offers(session: AsyncSession, request_id: uuid.UUID) -> dict[OfferStatus, int]:
    """How many of the request's offers are proposed and accepted."""
    rows = await session.execute(
        select(offer.c.status, func.count())
        .where(offer.c.request_id == request_id, offer.c.status.in_([s.value for s in LIVE_OFFER]))
        .group_by(offer.c.status)
    )
    counts = {status: 0 for status in LIVE_OFFER}
    counts.update({OfferStatus(status): int(count) for status, count in rows.all()})
    return counts


async def lapse_proposals(
    session: AsyncSession, request_id: uuid.UUID, status: RequestStatus, *, now: datetime
) -> int:
    """When the request stands where it takes no more offers (fully committed, cancelled,
    closed, expired), its proposals lapse now, releasing their holds, saying why; how many."""
    reason = lapse_reason(status)
    if reason is None:
        return 0
    await session.flush()  # the offer accepted in this unit of work is no proposal any more
    result = await session.execute(
        update(offer)
        .where(offer.c.request_id == request_id, offer.c.status == OfferStatus.PROPOSED.value)
        .values(
            status=OfferStatus.EXPIRED.value,
            lapse_reason=reason.value,
            version=offer.c.version + 1,
            updated_at=now,
        )
        .returning(*offer.c)
    )
    return await stage_returned(session, "offer", result)


async def withdraw_live_offers(
    session: AsyncSession, request_id: uuid.UUID, *, now: datetime, reason: LapseReason
) -> tuple[int, int]:
    """Withdraw the request's proposed and accepted offers: how many, and the accepted quantity
    they had committed."""
    accepted = await session.scalar(
        select(func.coalesce(func.sum(offer.c.quantity), 0)).where(
            offer.c.request_id == request_id, offer.c.status == OfferStatus.ACCEPTED.value
        )
    )
    result = await session.execute(
        update(offer)
        .where(offer.c.request_id == request_id, offer.c.status.in_([s.value for s in LIVE_OFFER]))
        .values(
            status=OfferStatus.WITHDRAWN.value,
            lapse_reason=case(
                (offer.c.status == OfferStatus.PROPOSED.value, reason.value), else_=null()
            ),
            version=offer.c.version + 1,
            updated_at=now,
        )
        .returning(*offer.c)
    )
    return await stage_returned(session, "offer", result), int(accepted or 0)


async def expire_open_requests(session: AsyncSession, *, now: datetime) -> int:
    """Mark the open requests whose window has ended as expired; how many."""
    result = await session.execute(
        update(resource_request)
        .where(
            resource_request.c.status == RequestStatus.OPEN.value,
            resource_request.c.ends_at <= now,
        )
        .values(
            status=RequestStatus.EXPIRED.value,
            version=resource_request.c.version + 1,
            updated_at=now,
        )
        .returning(*resource_request.c)
    )
    return await stage_returned(session, "resource_request", result)


async def expire_proposed_offers(session: AsyncSession, *, now: datetime) -> int:
    """Mark as expired the proposed offers past their `expires_at`, and those of expired
    requests; how many."""
    of_expired_request = exists(
        select(resource_request.c.id).where(
            and_(
                resource_request.c.id == offer.c.request_id,
                resource_request.c.status == RequestStatus.EXPIRED.value,
            )
        )
    )
    result = await session.execute(
        update(offer)
        .where(
            offer.c.status == OfferStatus.PROPOSED.value,
            or_(offer.c.expires_at <= now, of_expired_request),
        )
        .values(
            status=OfferStatus.EXPIRED.value,
            lapse_reason=case(
                (of_expired_request, LapseReason.REQUEST_EXPIRED.value), else_=null()
            ),
            version=offer.c.version + 1,
            updated_at=now,
        )
        .returning(*offer.c)
    )
    return await stage_returned(session, "offer", result)
