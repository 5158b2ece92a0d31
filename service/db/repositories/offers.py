"""Offers and the volunteer-hour ledger: lean reads (with the organisation that answers for the
provider), and the locked loads and checks that accepting and completing run in a unit of work.

Locks are always taken in one order – the request, then the offer, then the provider – so that
concurrent answers to offers of one request, or of one provider, queue instead of deadlocking.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.outbox import stage_returned
from service.db.reader import Reader, Row
from service.db.repositories.keyset import after, paged
from service.db.tables import (
    CharityResourceRecord,
    OfferRecord,
    OrganisationRecord,
    ResourceRequestRecord,
    ServiceRecordRecord,
    SocialWorkerRecord,
    StationRecord,
    UniversityRecord,
    VolunteerRecord,
    VolunteerTeamMemberRecord,
    VolunteerTeamRecord,
    table,
)
from service.domain.fulfilment import OfferFilter
from service.domain.requests import OfferStatus, ProviderType, Window
from service.domain.service_records import ServiceRecordFilter

offer = table(OfferRecord)
resource_request = table(ResourceRequestRecord)
service_record = table(ServiceRecordRecord)
station = table(StationRecord)
volunteer = table(VolunteerRecord)
member = table(VolunteerTeamMemberRecord)
charity_resource = table(CharityResourceRecord)
volunteer_team = table(VolunteerTeamRecord)
social_worker = table(SocialWorkerRecord)

PROVIDER_TABLES: dict[ProviderType, Table] = {
    ProviderType.VOLUNTEER: volunteer,
    ProviderType.VOLUNTEER_TEAM: volunteer_team,
    ProviderType.ORGANISATION: table(OrganisationRecord),
    ProviderType.CHARITY_RESOURCE: charity_resource,
    ProviderType.UNIVERSITY: table(UniversityRecord),
    ProviderType.SOCIAL_WORKER: social_worker,
}


def _owner(source: Table, column: str) -> ColumnElement[Any]:
    return select(source.c[column]).where(source.c.id == offer.c.provider_id).scalar_subquery()


# The organisation that answers for the provider: itself, the one offering a charity resource,
# leading a team or employing a social worker; none for volunteers and universities.
provider_organisation = case(
    (offer.c.provider_type == ProviderType.ORGANISATION.value, offer.c.provider_id),
    (
        offer.c.provider_type == ProviderType.CHARITY_RESOURCE.value,
        _owner(charity_resource, "organisation_id"),
    ),
    (
        offer.c.provider_type == ProviderType.VOLUNTEER_TEAM.value,
        _owner(volunteer_team, "leading_organisation_id"),
    ),
    (
        offer.c.provider_type == ProviderType.SOCIAL_WORKER.value,
        _owner(social_worker, "employer_organisation_id"),
    ),
    else_=null(),
)


def offer_select() -> Select[Any]:
    """Offers with their request's unit and the organisation that answers for the provider."""
    return select(
        offer,
        resource_request.c.unit,
        provider_organisation.label("provider_organisation_id"),
    ).join(resource_request, resource_request.c.id == offer.c.request_id)


_BY_ID = offer_select().where(offer.c.id == bindparam("id"))


def _status_is(status: OfferStatus, now: datetime) -> ColumnElement[bool]:
    """The effective status: a proposal whose hold ran out counts as expired."""
    lapsed = and_(offer.c.status == OfferStatus.PROPOSED.value, offer.c.expires_at <= now)
    if status is OfferStatus.PROPOSED:
        return and_(offer.c.status == status.value, offer.c.expires_at > now)
    if status is OfferStatus.EXPIRED:
        return or_(offer.c.status == status.value, lapsed)
    return offer.c.status == status.value


def requests_offered_to(organisation_id: uuid.UUID) -> Select[Any]:
    """The ids of the requests with an offer the organisation answers for."""
    return select(offer.c.request_id).where(provider_organisation == organisation_id)


def _visible(station_id: uuid.UUID | None, organisation_id: uuid.UUID | None) -> list[Any]:
    conditions: list[Any] = []
    if station_id is not None:
        conditions.append(offer.c.station_id == station_id)
    if organisation_id is not None:
        conditions.append(provider_organisation == organisation_id)
    return conditions


class OfferRepository:
    """Reads of offers."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, offer_id: uuid.UUID) -> Row | None:
        """One offer's row (with unit and answering organisation), or None."""
        return await self.reader.fetch_one(_BY_ID, {"id": offer_id})

    async def many(self, offer_ids: list[uuid.UUID]) -> list[Row]:
        """The offers with these ids, in the order given."""
        if not offer_ids:
            return []
        rows = await self.reader.fetch_all(offer_select().where(offer.c.id.in_(offer_ids)))
        by_id = {row["id"]: row for row in rows}
        return [by_id[offer_id] for offer_id in offer_ids]

    async def list(
        self, where: OfferFilter, *, now: datetime, key: str | None, limit: int
    ) -> list[Row]:
        """Offers in the order they were made (then id), after the key."""
        query = offer_select().order_by(offer.c.created_at, offer.c.id).limit(limit)
        conditions = _visible(where.visible_to_station, where.visible_to_organisation)
        if where.request_id is not None:
            conditions.append(offer.c.request_id == where.request_id)
        if where.station_id is not None:
            conditions.append(offer.c.station_id == where.station_id)
        if where.provider_type is not None:
            conditions.append(offer.c.provider_type == where.provider_type.value)
        if where.provider_id is not None:
            conditions.append(offer.c.provider_id == where.provider_id)
        if where.status is not None:
            conditions.append(_status_is(where.status, now))
        seek = after((offer.c.created_at, offer.c.id), key)
        if seek is not None:
            conditions.append(seek)
        return await self.reader.fetch_all(
            paged(query.where(*conditions), offer.c.updated_at, offer.c.id)
        )


# --- Inside a unit of work ----------------------------------------------------------------------


async def offer_facts(session: AsyncSession, offer_id: uuid.UUID) -> Row | None:
    """The offer's request, station and answering organisation, read without a lock (to learn
    which request to lock first)."""
    query = select(
        offer.c.request_id,
        offer.c.station_id,
        provider_organisation.label("provider_organisation_id"),
    ).where(offer.c.id == offer_id)
    row = (await session.execute(query)).mappings().first()
    return None if row is None else dict(row)


async def request_for_update(
    session: AsyncSession, request_id: uuid.UUID
) -> ResourceRequestRecord | None:
    """The request, locked until the unit of work ends: answers to its offers queue here."""
    return await session.get(ResourceRequestRecord, request_id, with_for_update=True)


async def offer_for_update(session: AsyncSession, offer_id: uuid.UUID) -> OfferRecord | None:
    """The offer, locked until the unit of work ends (after its request)."""
    return await session.get(OfferRecord, offer_id, with_for_update=True)


async def provider_for_update(
    session: AsyncSession, provider_type: ProviderType, provider_id: uuid.UUID
) -> Row | None:
    """The provider's row (what its capacity is figured from), locked: bookings of one
    provider queue here. A team's row says how many members it has."""
    source = PROVIDER_TABLES[provider_type]
    query = select(source).where(source.c.id == provider_id).with_for_update(of=source)
    row = (await session.execute(query)).mappings().first()
    if row is None:
        return None
    found = dict(row)
    if provider_type is ProviderType.VOLUNTEER_TEAM:
        found["members"] = await session.scalar(
            select(func.count()).select_from(member).where(member.c.team_id == provider_id)
        )
    return found


async def providers_for_update(
    session: AsyncSession, providers: list[tuple[ProviderType, uuid.UUID]]
) -> None:
    """Lock the providers' rows, in one fixed order (registry, then id), whoever asks: offers
    and acceptances naming the same providers then queue instead of deadlocking, and each sees
    the holds the ones before it committed (PostgreSQL; SQLite has one writer at a time)."""
    for provider_type, provider_id in sorted(set(providers), key=lambda p: (p[0].value, p[1])):
        source = PROVIDER_TABLES[provider_type]
        await session.execute(
            select(source.c.id).where(source.c.id == provider_id).with_for_update()
        )


async def held_by_accepted(
    session: AsyncSession,
    provider_type: ProviderType,
    provider_id: uuid.UUID,
    window: Window | None,
    *,
    excluding: uuid.UUID,
) -> int:
    """What the provider's other accepted offers hold: in windows overlapping `window`, or
    whatever their window when it is None (consumables, service/domain/capacity.py)."""
    query = select(func.coalesce(func.sum(offer.c.quantity), 0)).where(
        _accepted(provider_type, provider_id, excluding)
    )
    if window is not None:
        query = query.where(offer.c.starts_at < window.ends_at, offer.c.ends_at > window.starts_at)
    return int((await session.execute(query)).scalar() or 0)


def _accepted(provider_type: ProviderType, provider_id: uuid.UUID, excluding: uuid.UUID) -> Any:
    return and_(
        offer.c.provider_type == provider_type.value,
        offer.c.provider_id == provider_id,
        offer.c.status == OfferStatus.ACCEPTED.value,
        offer.c.id != excluding,
    )


async def booked_elsewhere(
    session: AsyncSession,
    provider_type: ProviderType,
    provider_id: uuid.UUID,
    window: Window,
    *,
    excluding: uuid.UUID,
) -> bool:
    """Whether the provider holds another accepted offer whose window overlaps this one."""
    query = select(
        exists().where(
            _accepted(provider_type, provider_id, excluding),
            offer.c.starts_at < window.ends_at,
            offer.c.ends_at > window.starts_at,
        )
    )
    return bool((await session.execute(query)).scalar())


async def accepted_quantity(
    session: AsyncSession,
    provider_type: ProviderType,
    provider_id: uuid.UUID,
    *,
    excluding: uuid.UUID,
) -> int:
    """What the provider's other accepted (not yet completed) offers promise."""
    query = select(func.coalesce(func.sum(offer.c.quantity), 0)).where(
        _accepted(provider_type, provider_id, excluding)
    )
    return int((await session.execute(query)).scalar() or 0)


async def accepted_offers_of(session: AsyncSession, request_id: uuid.UUID) -> int:
    """How many of the request's offers are accepted and still to be completed."""
    query = select(func.count()).where(
        offer.c.request_id == request_id, offer.c.status == OfferStatus.ACCEPTED.value
    )
    return int((await session.execute(query)).scalar() or 0)


async def take_stock(session: AsyncSession, resource_id: uuid.UUID, quantity: int) -> None:
    """Take a delivered quantity off a (locked) charity resource's remaining stock."""
    result = await session.execute(
        update(charity_resource)
        .where(charity_resource.c.id == resource_id)
        .values(
            remaining_quantity=charity_resource.c.remaining_quantity - quantity,
            version=charity_resource.c.version + 1,
        )
        .returning(*charity_resource.c)
    )
    await stage_returned(session, "charity_resource", result)


async def station_name(session: AsyncSession, station_id: uuid.UUID) -> str:
    """The station's official name (the organisation of its service records)."""
    name = (
        await session.execute(select(station.c.name).where(station.c.id == station_id))
    ).scalar()
    return str(name)


async def members_among(
    session: AsyncSession, team_id: uuid.UUID, volunteer_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these volunteers are members of the team."""
    if not volunteer_ids:
        return set()
    query = select(member.c.volunteer_id).where(
        member.c.team_id == team_id, member.c.volunteer_id.in_(sorted(set(volunteer_ids)))
    )
    return {row for row in (await session.execute(query)).scalars()}


async def live_offers_to(
    session: AsyncSession, request_id: uuid.UUID, *, now: datetime
) -> set[tuple[str, uuid.UUID]]:
    """(provider type, id) of every provider holding a live offer for the request."""
    live = or_(
        offer.c.status == OfferStatus.ACCEPTED.value,
        and_(offer.c.status == OfferStatus.PROPOSED.value, offer.c.expires_at > now),
    )
    query = select(offer.c.provider_type, offer.c.provider_id).where(
        offer.c.request_id == request_id, live
    )
    return {(str(kind), provider) for kind, provider in (await session.execute(query)).all()}


async def expire_if_lapsed(session: AsyncSession, offer_id: uuid.UUID, *, now: datetime) -> None:
    """Store a lapsed proposal as expired (reads show it so already)."""
    result = await session.execute(
        update(offer)
        .where(
            offer.c.id == offer_id,
            offer.c.status == OfferStatus.PROPOSED.value,
            offer.c.expires_at <= now,
        )
        .values(status=OfferStatus.EXPIRED.value, version=offer.c.version + 1, updated_at=now)
        .returning(*offer.c)
    )
    await stage_returned(session, "offer", result)


def add(session: AsyncSession, *records: OfferRecord | ServiceRecordRecord) -> None:
    """Stage new offers or service records."""
    session.add_all(records)


# --- The ledger ---------------------------------------------------------------------------------


def _ledger_select() -> Select[Any]:
    return select(
        service_record,
        volunteer.c.name.label("volunteer_name"),
        offer.c.request_id,
        offer.c.station_id,
    ).select_from(
        service_record.join(offer, offer.c.id == service_record.c.offer_id).join(
            volunteer, volunteer.c.id == service_record.c.volunteer_id
        )
    )


class ServiceRecordRepository:
    """Reads of the volunteer-hour ledger."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def volunteer_exists(self, volunteer_id: uuid.UUID) -> bool:
        """Whether the volunteer is registered."""
        found = await self.reader.scalar(
            select(volunteer.c.id).where(volunteer.c.id == volunteer_id)
        )
        return found is not None

    async def list(self, where: ServiceRecordFilter, *, key: str | None, limit: int) -> list[Row]:
        """Records in service-date order (then id), after the key; with the volunteer's name."""
        columns = service_record.c
        query = _ledger_select().order_by(columns.service_date, columns.id).limit(limit)
        conditions = _visible(where.visible_to_station, where.visible_to_organisation)
        if where.volunteer_id is not None:
            conditions.append(columns.volunteer_id == where.volunteer_id)
        if where.station_id is not None:
            conditions.append(offer.c.station_id == where.station_id)
        if where.date_from is not None:
            conditions.append(columns.service_date >= where.date_from)
        if where.date_to is not None:
            conditions.append(columns.service_date <= where.date_to)
        seek = after((columns.service_date, columns.id), key)
        if seek is not None:
            conditions.append(seek)
        return await self.reader.fetch_all(
            paged(query.where(*conditions), columns.created_at, columns.id)
        )
