"""Charity resources: by id, by filter (title order)."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row
from service.db.repositories.keyset import after, paged
from service.db.tables import CharityResourceRecord, table
from service.db.types import covering, json_array_contains
from service.domain.resources import CharityResourceFilter

resource = table(CharityResourceRecord)
_BY_ID = select(resource).where(resource.c.id == bindparam("id"))


class CharityResourceRepository:
    """Reads of the charity resource registry."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, resource_id: uuid.UUID) -> Row | None:
        """One resource's row, or None."""
        return await self.reader.fetch_one(_BY_ID, {"id": resource_id})

    async def list(self, where: CharityResourceFilter, *, key: str | None, limit: int) -> list[Row]:
        """Resources in title order after the key."""
        query = select(resource).order_by(resource.c.title, resource.c.id).limit(limit)
        if where.organisation_id is not None:
            query = query.where(resource.c.organisation_id == where.organisation_id)
        if where.kind is not None:
            query = query.where(resource.c.kind == where.kind.value)
        if where.target_group is not None:
            query = query.where(json_array_contains(resource.c.target_groups, where.target_group))
        if where.division_code is not None:
            query = query.where(covering(resource.c.service_area, where.division_code))
        if where.status is not None:
            query = query.where(resource.c.status == where.status.value)
        if where.available_on is not None:
            query = query.where(
                or_(resource.c.valid_from.is_(None), resource.c.valid_from <= where.available_on),
                or_(resource.c.valid_until.is_(None), resource.c.valid_until >= where.available_on),
            )
        if where.has_remaining is True:
            query = query.where(resource.c.remaining_quantity > 0)
        elif where.has_remaining is False:
            query = query.where(resource.c.remaining_quantity == 0)
        if where.title_contains is not None:
            query = query.where(resource.c.title.contains(where.title_contains, autoescape=True))
        seek = after((resource.c.title, resource.c.id), key)
        if seek is not None:
            query = query.where(seek)
        return await self.reader.fetch_all(paged(query, resource.c.updated_at, resource.c.id))


async def charity_resource_for_update(
    session: AsyncSession, resource_id: uuid.UUID
) -> CharityResourceRecord | None:
    """The resource, locked against concurrent updates until the unit of work ends."""
    return await session.get(CharityResourceRecord, resource_id, with_for_update=True)
