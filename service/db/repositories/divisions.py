"""Reads of the division reference table."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from service.db.reader import Reader
from service.db.repositories.keyset import paged
from service.db.tables import DivisionRecord, table
from service.domain.divisions import Division, DivisionLevel

division = table(DivisionRecord)


def to_domain(record: DivisionRecord) -> Division:
    """The rules' view of a stored division."""
    return Division(
        code=record.code,
        name=record.name,
        level=DivisionLevel(record.level),
        parent_code=record.parent_code,
    )


class DivisionRepository:
    """Hangzhou's divisions by code, by parent, by name."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, code: str) -> DivisionRecord | None:
        """One division, or None for a code Hangzhou does not have."""
        row = await self.reader.fetch_one(select(division).where(division.c.code == code))
        return None if row is None else DivisionRecord.model_validate(row)

    async def get_many(self, codes: Sequence[str]) -> list[DivisionRecord]:
        """The divisions among `codes` that exist, shortest code (highest level) first."""
        rows = await self.reader.fetch_all(
            select(division).where(division.c.code.in_(codes)).order_by(division.c.code)
        )
        return sorted(
            (DivisionRecord.model_validate(row) for row in rows),
            key=lambda record: len(record.code),
        )

    async def existing(self, codes: Sequence[str]) -> set[str]:
        """Which of `codes` are Hangzhou divisions."""
        if not codes:
            return set()
        rows = await self.reader.fetch_all(
            select(division.c.code).where(division.c.code.in_(list(codes)))
        )
        return {row["code"] for row in rows}

    async def list(
        self,
        *,
        level: DivisionLevel | None,
        parent_code: str | None,
        name_contains: str | None,
        after: str | None,
        limit: int,
    ) -> list[DivisionRecord]:
        """Divisions in code order, filtered, after the cursor; `limit` rows at most."""
        query = select(division).order_by(division.c.code).limit(limit)
        if level is not None:
            query = query.where(division.c.level == level.value)
        if parent_code is not None:
            query = query.where(division.c.parent_code == parent_code)
        if name_contains is not None:
            query = query.where(division.c.name.contains(name_contains, autoescape=True))
        if after is not None:
            query = query.where(division.c.code > after)
        rows = await self.reader.fetch_all(paged(query, None, division.c.code))
        return [DivisionRecord.model_validate(row) for row in rows]
