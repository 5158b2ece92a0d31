"""Stations and offices: lean reads by key and by filter, locked loads for updates."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row
from service.db.repositories.keyset import paged
from service.db.tables import OfficeRecord, StationRecord, table
from service.db.types import json_array_contains
from service.domain.stations import OfficeFilter, StationFilter

station = table(StationRecord)
office = table(OfficeRecord)

_STATION_BY_ID = select(station).where(station.c.id == bindparam("id"))
_OFFICE_BY_ID = select(office).where(office.c.id == bindparam("id"))


class StationRepository:
    """Stations by id, by township, by filter."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, station_id: uuid.UUID) -> Row | None:
        """One station's row, or None."""
        return await self.reader.fetch_one(_STATION_BY_ID, {"id": station_id})

    async def list(self, where: StationFilter, *, after: str | None, limit: int) -> list[Row]:
        """Stations in township-code order after the cursor."""
        query = select(station).order_by(station.c.township_code).limit(limit)
        if where.district_code is not None:
            query = query.where(station.c.district_code == where.district_code)
        if where.township_code is not None:
            query = query.where(station.c.township_code == where.township_code)
        if where.status is not None:
            query = query.where(station.c.status == where.status.value)
        if where.is_demonstration is not None:
            query = query.where(station.c.is_demonstration == where.is_demonstration)
        if where.specialty is not None:
            query = query.where(json_array_contains(station.c.specialties, where.specialty.value))
        if after is not None:
            query = query.where(station.c.township_code > after)
        return await self.reader.fetch_all(paged(query, station.c.updated_at, station.c.id))

    async def id_for_township(self, township_code: str) -> uuid.UUID | None:
        """The station of a township, if it has one."""
        found: uuid.UUID | None = await self.reader.scalar(
            select(station.c.id).where(station.c.township_code == township_code)
        )
        return found


class StationWriter:
    """Loads and stores stations inside a unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, record: StationRecord) -> None:
        """Stage a new station."""
        self.session.add(record)

    async def get_for_update(self, station_id: uuid.UUID) -> StationRecord | None:
        """The station, locked against concurrent updates until the unit of work ends."""
        return await self.session.get(StationRecord, station_id, with_for_update=True)


class OfficeRepository:
    """Offices by id and by filter."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, office_id: uuid.UUID) -> Row | None:
        """One office's row, or None."""
        return await self.reader.fetch_one(_OFFICE_BY_ID, {"id": office_id})

    async def list(self, where: OfficeFilter, *, after: str | None, limit: int) -> list[Row]:
        """Offices in community-code order after the cursor."""
        query = select(office).order_by(office.c.community_code).limit(limit)
        if where.station_id is not None:
            query = query.where(office.c.station_id == where.station_id)
        if where.district_code is not None:
            query = query.where(office.c.district_code == where.district_code)
        if where.is_demonstration is not None:
            query = query.where(office.c.is_demonstration == where.is_demonstration)
        if after is not None:
            query = query.where(office.c.community_code > after)
        return await self.reader.fetch_all(paged(query, office.c.updated_at, office.c.id))

    async def id_for_community(self, community_code: str) -> uuid.UUID | None:
        """The office of a community, if it has one."""
        found: uuid.UUID | None = await self.reader.scalar(
            select(office.c.id).where(office.c.community_code == community_code)
        )
        return found


class OfficeWriter:
    """Loads and stores offices inside a unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, record: OfficeRecord) -> None:
        """Stage a new office."""
        self.session.add(record)

    async def get_for_update(self, office_id: uuid.UUID) -> OfficeRecord | None:
        """The office, locked against concurrent updates until the unit of work ends."""
        return await self.session.get(OfficeRecord, office_id, with_for_update=True)
