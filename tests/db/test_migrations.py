"""Migrations: they build exactly the tables the code declares, load the divisions, and undo."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from service.db.engine import Database, build_engine
from service.db.migrate import downgrade, upgrade
from service.settings import Settings


@pytest.fixture
async def fresh_database(settings: Settings, tmp_path) -> AsyncIterator[Database]:
    """An empty database of the same kind as the test database."""
    if settings.is_sqlite:
        embedded = settings.model_copy(update={"database_url": None, "data_dir": tmp_path})
        database = Database(build_engine(embedded))
        yield database
        await database.dispose()
        return
    name = f"linkage_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(settings.sqlalchemy_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(settings.sqlalchemy_url).set(database=name)
    database = Database(create_async_engine(url))
    try:
        yield database
    finally:
        await database.dispose()
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE "{name}"'))
        await admin.dispose()


async def table_names(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def schema_differences(database: Database) -> list[object]:
    def compare(sync_connection) -> list[object]:  # noqa: ANN001
        context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))

    async with database.engine.connect() as connection:
        return await connection.run_sync(compare)


async def test_upgrade_builds_the_declared_schema_and_downgrade_removes_it(fresh_database):
    await upgrade(fresh_database)
    assert await schema_differences(fresh_database) == []
    assert {
        "division",
        "station",
        "office",
        "api_client",
        "idempotency_record",
    } <= await table_names(fresh_database)

    await downgrade(fresh_database, "base")
    assert await table_names(fresh_database) <= {"alembic_version"}

    await upgrade(fresh_database)
    assert await schema_differences(fresh_database) == []


async def test_the_divisions_arrive_with_the_schema(fresh_database):
    await upgrade(fresh_database)
    async with fresh_database.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT level, count(*), sum(CASE WHEN needs_station THEN 1 ELSE 0 END) "
                "FROM division GROUP BY level ORDER BY level"
            )
        )
        counts = {level: (count, needing) for level, count, needing in rows}
    assert counts == {
        "city": (1, 0),
        "community": (3320, 0),
        "district": (13, 0),
        "township": (196, 191),
    }


async def test_upgrading_twice_changes_nothing(fresh_database):
    await upgrade(fresh_database)
    await upgrade(fresh_database)
    async with fresh_database.engine.connect() as connection:
        count = (await connection.execute(text("SELECT count(*) FROM division"))).scalar_one()
    assert count == 3530
