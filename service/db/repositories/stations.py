"""Stations and offices: lean reads by key and by filter, locked loads for updates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import RowMapping, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.repositories import Executor
from service.db.tables import OfficeRecord, StationRecord, table
from service.db.types import json_array_contains
from service.domain.stations import OfficeFilter, StationFilter

station = table(StationRecord)
office = table(OfficeRecord)

_STATION_BY_ID = select(station).where(station.c.id == bindparam("id"))
_OFFICE_BY_ID = select(office).where(office.c.id == bindparam("id"))


class StationRepository:
    """Stations by id, by township, by filter."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    async def get(self, station_id: uuid.UUID) -> RowMapping | None:
        """One station's row, or None."""
        result = await self.executor.execute(_STATION_BY_ID, {"id": station_id})
        return result.mappings().first()

    async def list(
        self, where: StationFilter, *, after: str | None, limit: int
    ) -> Sequence[RowMapping]:
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
        return (await self.executor.execute(query)).mappings().all()

    async def id_for_township(self, township_code: str) -> uuid.UUID | None:
        """The station of a township, if it has one."""
        result = await self.executor.execute(
            select(station.c.id).where(station.c.township_code == township_code)
        )
        return result.scalar_one_or_none()


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

    def __init__(self, executor: Executor) -> None:
        self.executor = executor

    async def get(self, office_id: uuid.UUID) -> RowMapping | None:
        """One office's row, or None."""
        result = await self.executor.execute(_OFFICE_BY_ID, {"id": office_id})
        return result.mappings().first()

    async def list(
        self, where: OfficeFilter, *, after: str | None, limit: int
    ) -> Sequence[RowMapping]:
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
        return (await self.executor.execute(query)).mappings().all()

    async def id_for_community(self, community_code: str) -> uuid.UUID | None:
        """The office of a community, if it has one."""
        result = await self.executor.execute(
            select(office.c.id).where(office.c.community_code == community_code)
        )
        return result.scalar_one_or_none()


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
