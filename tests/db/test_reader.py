"""The lean read path returns what SQLAlchemy returns, for every kind of statement we read with."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from service.db.reader import SqlAlchemyReader, StatementCache
from service.db.repositories.stations import StationRepository
from service.db.tables import DivisionRecord, StationRecord, table
from service.db.types import json_array_contains
from service.domain.stations import StationFilter
from service.domain.vocabulary import Specialty
from tests.factories.registry import BEISHAN, QINGBO, create_station

division = table(DivisionRecord)
station = table(StationRecord)


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Leave only reference data behind."""


def statements() -> list:
    return [
        select(division).where(division.c.code == "330106002"),
        select(division.c.code).where(division.c.code.in_(["3301", "330106", "330106002"])),
        select(division).where(division.c.name.contains("北山%", autoescape=True)),
        select(division)
        .where(division.c.parent_code == "330106")
        .order_by(division.c.code)
        .limit(3),
        select(func.count()).select_from(division).where(division.c.needs_station),
        select(station).order_by(station.c.township_code),
        select(station).where(json_array_contains(station.c.specialties, "elderly")),
        select(station).where(station.c.is_demonstration.is_(False)),
    ]


@pytest.mark.postgres_only
async def test_asyncpg_reads_equal_sqlalchemy_reads(services, admin):
    await create_station(admin, BEISHAN, is_demonstration=True, demonstration_year=2023)
    await create_station(admin, QINGBO, specialties=["school"], location=None)
    database = services.database
    async with database.read() as fast, database.engine.connect() as connection:
        assert type(fast).__name__ == "AsyncpgReader"
        slow = SqlAlchemyReader(connection)
        for statement in statements():
            assert await fast.fetch_all(statement) == await slow.fetch_all(statement), statement
        assert await fast.scalar(statements()[4]) == await slow.scalar(statements()[4]) == 191


@pytest.mark.postgres_only
def test_one_compilation_per_statement_shape(services):
    cache = StatementCache(services.database.engine.dialect)
    first, args_first = cache.render(select(division).where(division.c.code == "3301"), None)
    second, args_second = cache.render(select(division).where(division.c.code == "330106"), None)
    assert first == second
    assert (args_first, args_second) == (["3301"], ["330106"])
    assert len(cache._compiled) == 1

    expanded, arguments = cache.render(
        select(division.c.code).where(division.c.code.in_(["3301", "330106"])), None
    )
    assert "$1" in expanded and "$2" in expanded
    assert arguments == ["3301", "330106"]


async def test_the_embedded_database_runs_in_wal_mode_with_foreign_keys(services, is_postgres):
    if is_postgres:
        pytest.skip("SQLite only: the embedded database's pragmas")
    async with services.database.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_filters_read_the_same_on_every_path(services, admin):
    await create_station(admin, BEISHAN, specialties=["elderly", "medical"])
    async with services.database.read() as reader:
        rows = await StationRepository(reader).list(
            StationFilter(specialty=Specialty.MEDICAL), after=None, limit=10
        )
    assert [row["township_code"] for row in rows] == [BEISHAN]
    assert rows[0]["specialties"] == ["elderly", "medical"]


async def test_a_read_does_not_wait_for_an_open_write_transaction(services, is_postgres):
    """On SQLite a write holds the database lock; reads run outside any transaction."""
    import asyncio

    async with services.database.session() as session:
        await session.execute(text("UPDATE division SET name = name WHERE code = '3301'"))
        async with asyncio.timeout(2), services.database.read() as reader:
            assert await reader.scalar(select(func.count()).select_from(division)) == 3530
        await session.rollback()
