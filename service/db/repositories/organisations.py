"""Organisations: by id, by USCC, by filter (name order)."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row
from service.db.repositories.keyset import after, paged
from service.db.tables import OrganisationRecord, table
from service.db.types import json_array_contains, json_array_overlaps
from service.domain.divisions import ancestry
from service.domain.partners import OrganisationFilter

organisation = table(OrganisationRecord)
_BY_ID = select(organisation).where(organisation.c.id == bindparam("id"))


class OrganisationRepository:
    """Reads of the organisation registry."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, organisation_id: uuid.UUID) -> Row | None:
        """One organisation's row, or None."""
        return await self.reader.fetch_one(_BY_ID, {"id": organisation_id})

    async def id_for_uscc(self, uscc: str) -> uuid.UUID | None:
        """The organisation registered under a USCC, if any."""
        found: uuid.UUID | None = await self.reader.scalar(
            select(organisation.c.id).where(organisation.c.uscc == uscc)
        )
        return found

    async def list(self, where: OrganisationFilter, *, key: str | None, limit: int) -> list[Row]:
        """Organisations in name order after the key."""
        query = select(organisation).order_by(organisation.c.name, organisation.c.id).limit(limit)
        if where.division_code is not None:
            query = query.where(
                json_array_overlaps(organisation.c.service_area, ancestry(where.division_code))
            )
        if where.status is not None:
            query = query.where(organisation.c.status == where.status.value)
        if where.skill is not None:
            query = query.where(json_array_contains(organisation.c.skills, where.skill))
        if where.category is not None:
            query = query.where(
                json_array_contains(organisation.c.service_categories, where.category)
            )
        if where.name_contains is not None:
            query = query.where(organisation.c.name.contains(where.name_contains, autoescape=True))
        if where.kind is not None:
            query = query.where(organisation.c.kind == where.kind.value)
        if where.is_charity is not None:
            query = query.where(organisation.c.is_charity == where.is_charity)
        if where.is_social_work_agency is not None:
            query = query.where(organisation.c.is_social_work_agency == where.is_social_work_agency)
        seek = after((organisation.c.name, organisation.c.id), key)
        if seek is not None:
            query = query.where(seek)
        return await self.reader.fetch_all(
            paged(query, organisation.c.updated_at, organisation.c.id)
        )


async def organisation_for_update(
    session: AsyncSession, organisation_id: uuid.UUID
) -> OrganisationRecord | None:
    """The organisation, locked against concurrent updates until the unit of work ends."""
    return await session.get(OrganisationRecord, organisation_id, with_for_update=True)
