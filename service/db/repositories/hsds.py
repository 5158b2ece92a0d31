"""Reads for the Open Referral view: organisations in a stable order, counted, and divisions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select

from service.db.reader import Reader, Row
from service.db.tables import DivisionRecord, OrganisationRecord, table

organisation = table(OrganisationRecord)
division = table(DivisionRecord)

# What HSDS publishes: no contact, no steward, no location of a person.
_PUBLISHED = (
    organisation.c.id,
    organisation.c.name,
    organisation.c.uscc,
    organisation.c.kind,
    organisation.c.status,
    organisation.c.service_categories,
    organisation.c.service_area,
    organisation.c.updated_at,
)


def _since(query: Select[Any], modified_after: datetime | None) -> Select[Any]:
    if modified_after is None:
        return query
    return query.where(organisation.c.updated_at >= modified_after)


class HsdsRepository:
    """Organisations as the directory publishes them."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def count(self, *, modified_after: datetime | None) -> int:
        """How many organisations are published."""
        query = _since(select(func.count()).select_from(organisation), modified_after)
        found: int = await self.reader.scalar(query) or 0
        return found

    async def page(self, *, modified_after: datetime | None, offset: int, limit: int) -> list[Row]:
        """Organisations in (name, id) order, one page."""
        query: Select[Any] = select(*_PUBLISHED).order_by(organisation.c.name, organisation.c.id)
        return await self.reader.fetch_all(
            _since(query, modified_after).offset(offset).limit(limit)
        )

    async def all(
        self, *, modified_after: datetime | None, organisation_id: uuid.UUID | None = None
    ) -> list[Row]:
        """Every published organisation (or one), in (name, id) order."""
        query: Select[Any] = select(*_PUBLISHED).order_by(organisation.c.name, organisation.c.id)
        if organisation_id is not None:
            query = query.where(organisation.c.id == organisation_id)
        return await self.reader.fetch_all(_since(query, modified_after))

    async def get(self, organisation_id: uuid.UUID) -> Row | None:
        """One organisation, or None."""
        return await self.reader.fetch_one(
            select(*_PUBLISHED).where(organisation.c.id == organisation_id)
        )

    async def division_names(self, codes: set[str]) -> dict[str, str]:
        """The names of these divisions."""
        if not codes:
            return {}
        rows = await self.reader.fetch_all(
            select(division.c.code, division.c.name).where(division.c.code.in_(sorted(codes)))
        )
        return {row["code"]: row["name"] for row in rows}
