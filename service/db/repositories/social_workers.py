"""Social workers: by id, by ID-number blind index, by filter (registration order)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row
from service.db.repositories.keyset import after, paged
from service.db.tables import SocialWorkerRecord, table
from service.db.types import json_array_contains, json_array_overlaps
from service.domain.divisions import ancestry
from service.domain.people import SocialWorkerFilter

social_worker = table(SocialWorkerRecord)
_BY_ID = select(social_worker).where(social_worker.c.id == bindparam("id"))
_BY_INDEX = select(social_worker).where(social_worker.c.id_number_index == bindparam("index"))


class SocialWorkerRepository:
    """Reads of the social worker registry."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, social_worker_id: uuid.UUID) -> Row | None:
        """One social worker's row, or None."""
        return await self.reader.fetch_one(_BY_ID, {"id": social_worker_id})

    async def with_id_number(self, index: str) -> list[Row]:
        """The social workers whose ID number has this blind index (at most one)."""
        return await self.reader.fetch_all(_BY_INDEX, {"index": index})

    async def id_for_id_number(self, index: str) -> uuid.UUID | None:
        """The social worker registered under the ID number with this blind index, if any."""
        found: uuid.UUID | None = await self.reader.scalar(
            select(social_worker.c.id).where(social_worker.c.id_number_index == index)
        )
        return found

    async def list(
        self,
        where: SocialWorkerFilter,
        *,
        key: str | None,
        limit: int,
        readable: ColumnElement[Any] | None = None,
    ) -> list[Row]:
        """Social workers in registration order after the key; `readable` narrows them to the
        persons a bound caller may read (names are personal data: never a sort key)."""
        columns = social_worker.c
        query = select(social_worker).order_by(columns.created_at, columns.id).limit(limit)
        if readable is not None:
            query = query.where(readable)
        if where.division_code is not None:
            query = query.where(
                json_array_overlaps(columns.service_area, ancestry(where.division_code))
            )
        if where.status is not None:
            query = query.where(columns.status == where.status.value)
        if where.skill is not None:
            query = query.where(json_array_contains(columns.skills, where.skill))
        if where.name_contains is not None:
            query = query.where(columns.name.contains(where.name_contains, autoescape=True))
        if where.station_id is not None:
            query = query.where(columns.station_id == where.station_id)
        if where.office_id is not None:
            query = query.where(columns.office_id == where.office_id)
        if where.employer_organisation_id is not None:
            query = query.where(columns.employer_organisation_id == where.employer_organisation_id)
        if where.certificate_level is not None:
            query = query.where(columns.certificate_level == where.certificate_level.value)
        if where.supervisor_level is not None:
            query = query.where(columns.supervisor_level == where.supervisor_level.value)
        if where.employment is not None:
            query = query.where(columns.employment == where.employment.value)
        seek = after((columns.created_at, columns.id), key)
        if seek is not None:
            query = query.where(seek)
        return await self.reader.fetch_all(paged(query, columns.updated_at, columns.id))


async def social_worker_for_update(
    session: AsyncSession, social_worker_id: uuid.UUID
) -> SocialWorkerRecord | None:
    """The social worker, locked against concurrent updates until the unit of work ends."""
    return await session.get(SocialWorkerRecord, social_worker_id, with_for_update=True)


async def social_worker_in(
    session: AsyncSession, social_worker_id: uuid.UUID
) -> SocialWorkerRecord | None:
    """The social worker as the unit of work sees it (for a disclosure audited in it)."""
    return await session.get(SocialWorkerRecord, social_worker_id)
