"""Universities: by id, by USCC, by filter (name order)."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row
from service.db.repositories.keyset import after, paged
from service.db.tables import UniversityRecord, table
from service.db.types import json_array_contains, json_array_overlaps
from service.domain.divisions import ancestry
from service.domain.people import UniversityFilter

university = table(UniversityRecord)
_BY_ID = select(university).where(university.c.id == bindparam("id"))


class UniversityRepository:
    """Reads of the university registry."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, university_id: uuid.UUID) -> Row | None:
        """One university's row, or None."""
        return await self.reader.fetch_one(_BY_ID, {"id": university_id})

    async def id_for_uscc(self, uscc: str) -> uuid.UUID | None:
        """The university registered under a USCC, if any."""
        found: uuid.UUID | None = await self.reader.scalar(
            select(university.c.id).where(university.c.uscc == uscc)
        )
        return found

    async def list(self, where: UniversityFilter, *, key: str | None, limit: int) -> list[Row]:
        """Universities in name order after the key."""
        query = select(university).order_by(university.c.name, university.c.id).limit(limit)
        if where.division_code is not None:
            query = query.where(
                json_array_overlaps(university.c.service_area, ancestry(where.division_code))
            )
        if where.status is not None:
            query = query.where(university.c.status == where.status.value)
        if where.offer is not None:
            query = query.where(json_array_contains(university.c.offers, where.offer.value))
        if where.name_contains is not None:
            query = query.where(university.c.name.contains(where.name_contains, autoescape=True))
        seek = after((university.c.name, university.c.id), key)
        if seek is not None:
            query = query.where(seek)
        return await self.reader.fetch_all(paged(query, university.c.updated_at, university.c.id))


async def university_for_update(
    session: AsyncSession, university_id: uuid.UUID
) -> UniversityRecord | None:
    """The university, locked against concurrent updates until the unit of work ends."""
    return await session.get(UniversityRecord, university_id, with_for_update=True)
