"""Linkages: by id and by filter (with both stations' district kinds, for R16), the facts about
a partner the rules need, and the locked loads and candidate rows a change is checked against."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row
from service.db.repositories.keyset import after, paged
from service.db.tables import (
    CharityResourceRecord,
    DivisionRecord,
    LinkageRecord,
    OrganisationRecord,
    SocialWorkerRecord,
    StationRecord,
    UniversityRecord,
    VolunteerTeamRecord,
    table,
)
from service.domain.linkages import (
    LinkageFilter,
    LinkageKind,
    LinkageStatus,
    PartnerType,
    Tie,
)

linkage = table(LinkageRecord)
station = table(StationRecord)
division = table(DivisionRecord)

home_station = station.alias("home_station")
partner_station = station.alias("partner_station")
_home_district = division.alias("home_district")
_partner_district = division.alias("partner_district")

# Where each partner type lives, and the columns its facts are read from.
PARTNER_TABLES = {
    PartnerType.ORGANISATION: table(OrganisationRecord),
    PartnerType.UNIVERSITY: table(UniversityRecord),
    PartnerType.VOLUNTEER_TEAM: table(VolunteerTeamRecord),
    PartnerType.CHARITY_RESOURCE: table(CharityResourceRecord),
    PartnerType.SOCIAL_WORKER: table(SocialWorkerRecord),
}
_FACT_COLUMNS = {
    PartnerType.ORGANISATION: ("status", "is_social_work_agency"),
    PartnerType.UNIVERSITY: ("status", "offers"),
    PartnerType.VOLUNTEER_TEAM: ("status",),
    PartnerType.CHARITY_RESOURCE: ("status",),
    PartnerType.SOCIAL_WORKER: ("status", "supervisor_level"),
}


def linkage_select(*extra: ColumnElement[Any]) -> Select[Any]:
    """Linkages with the district kind of their station and, for pairings, of the partner's."""
    return select(
        linkage,
        _home_district.c.kind.label("station_district_kind"),
        _partner_district.c.kind.label("partner_district_kind"),
        *extra,
    ).select_from(
        linkage.join(home_station, home_station.c.id == linkage.c.station_id)
        .join(_home_district, _home_district.c.code == home_station.c.district_code)
        .outerjoin(
            partner_station,
            and_(
                linkage.c.partner_type == PartnerType.STATION.value,
                partner_station.c.id == linkage.c.partner_id,
            ),
        )
        .outerjoin(_partner_district, _partner_district.c.code == partner_station.c.district_code)
    )


def involving(station_id: uuid.UUID) -> ColumnElement[bool]:
    """Linkages the station is an end of: its own, and pairings registered by the other side."""
    return or_(
        linkage.c.station_id == station_id,
        and_(
            linkage.c.partner_type == PartnerType.STATION.value,
            linkage.c.partner_id == station_id,
        ),
    )


def _seen_from(where: LinkageFilter) -> ColumnElement[bool] | None:
    """The station and partner filters, read from the filtered station's side."""
    if where.station_id is None:
        conditions = []
        if where.partner_type is not None:
            conditions.append(linkage.c.partner_type == where.partner_type.value)
        if where.partner_id is not None:
            conditions.append(linkage.c.partner_id == where.partner_id)
        return and_(*conditions) if conditions else None
    direct = [linkage.c.station_id == where.station_id]
    if where.partner_type is not None:
        direct.append(linkage.c.partner_type == where.partner_type.value)
    if where.partner_id is not None:
        direct.append(linkage.c.partner_id == where.partner_id)
    if where.partner_type not in (None, PartnerType.STATION):
        return and_(*direct)
    reverse = [
        linkage.c.partner_type == PartnerType.STATION.value,
        linkage.c.partner_id == where.station_id,
    ]
    if where.partner_id is not None:
        reverse.append(linkage.c.station_id == where.partner_id)
    return or_(and_(*direct), and_(*reverse))


_BY_ID = linkage_select().where(linkage.c.id == bindparam("id"))


class LinkageRepository:
    """Reads of the linkage graph."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, linkage_id: uuid.UUID) -> Row | None:
        """One linkage's row (with district kinds), or None."""
        return await self.reader.fetch_one(_BY_ID, {"id": linkage_id})

    async def partner(self, partner_type: PartnerType, partner_id: uuid.UUID) -> Row | None:
        """The columns of a (non-station) partner that the linkage rules read, or None."""
        source = PARTNER_TABLES[partner_type]
        columns = [source.c[name] for name in _FACT_COLUMNS[partner_type]]
        return await self.reader.fetch_one(select(*columns).where(source.c.id == partner_id))

    async def live_with_same_ends(self, tie: Tie, kind: LinkageKind) -> list[Row]:
        """Linkages of this kind between the same two ends (either way round) not ended."""
        same = and_(
            linkage.c.station_id == tie.station_id,
            linkage.c.partner_type == tie.partner_type.value,
            linkage.c.partner_id == tie.partner_id,
        )
        reverse = (
            and_(
                linkage.c.station_id == tie.partner_id,
                linkage.c.partner_type == PartnerType.STATION.value,
                linkage.c.partner_id == tie.station_id,
            )
            if tie.partner_type is PartnerType.STATION
            else false()
        )
        query = select(linkage).where(
            or_(same, reverse),
            linkage.c.kind == kind.value,
            linkage.c.status != LinkageStatus.ENDED.value,
        )
        return await self.reader.fetch_all(query)

    async def active_operating_contract(self, station_id: uuid.UUID) -> uuid.UUID | None:
        """The station's active operating contract (R9 allows one), if it has one."""
        found: uuid.UUID | None = await self.reader.scalar(
            select(linkage.c.id).where(
                linkage.c.station_id == station_id,
                linkage.c.kind == LinkageKind.OPERATING_CONTRACT.value,
                linkage.c.status == LinkageStatus.ACTIVE.value,
            )
        )
        return found

    async def list(self, where: LinkageFilter, *, key: str | None, limit: int) -> list[Row]:
        """Linkages in (starts_on, id) order after the key."""
        query = linkage_select().order_by(linkage.c.starts_on, linkage.c.id).limit(limit)
        conditions = [_seen_from(where), after((linkage.c.starts_on, linkage.c.id), key)]
        if where.visible_to is not None:
            conditions.append(involving(where.visible_to))
        if where.visible_to_organisation is not None:
            conditions.append(
                and_(
                    linkage.c.partner_type == PartnerType.ORGANISATION.value,
                    linkage.c.partner_id == where.visible_to_organisation,
                )
            )
        if where.kind is not None:
            conditions.append(linkage.c.kind == where.kind.value)
        if where.status is not None:
            conditions.append(linkage.c.status == where.status.value)
        if where.active_on is not None:
            conditions.append(linkage.c.starts_on <= where.active_on)
            conditions.append(
                or_(linkage.c.ends_on.is_(None), linkage.c.ends_on >= where.active_on)
            )
        for condition in conditions:
            if condition is not None:
                query = query.where(condition)
        return await self.reader.fetch_all(paged(query, linkage.c.updated_at, linkage.c.id))


async def stations_for_update(session: AsyncSession, station_ids: set[uuid.UUID]) -> list[Row]:
    """The stations (with their district's kind), locked in id order until the unit of work ends.

    Locking the station serialises every change to its linkages, so the duplicate check that
    follows sees whatever a concurrent request committed first (SQLite serialises writes anyway).
    """
    query = (
        select(
            station.c.id,
            station.c.name,
            station.c.operating_mode,
            division.c.kind.label("district_kind"),
        )
        .join(division, division.c.code == station.c.district_code)
        .where(station.c.id.in_(sorted(station_ids)))
        .order_by(station.c.id)
        .with_for_update(of=station)
    )
    return [dict(row) for row in (await session.execute(query)).mappings()]


async def linkage_for_update(session: AsyncSession, linkage_id: uuid.UUID) -> LinkageRecord | None:
    """The linkage, locked against concurrent updates until the unit of work ends."""
    return await session.get(LinkageRecord, linkage_id, with_for_update=True)


def add_linkage(session: AsyncSession, record: LinkageRecord) -> None:
    """Stage a new linkage."""
    session.add(record)
