"""Apply Alembic migrations from code: on start, from the CLI and in tests."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from service.db.engine import Database


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", "service.db:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def _migrate(database: Database, step: Callable[[Config], None]) -> None:
    """Run one Alembic command in one transaction.

    On SQLite a migration that rebuilds a table (batch mode) drops the old one, which foreign
    keys pointing at it refuse while rows reference it. As SQLite's own procedure for schema
    changes says, enforcement is switched off (outside the transaction, where the pragma takes
    effect) and every reference is checked before the transaction commits.
    """
    async with database.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            await _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            async with connection.begin():
                await connection.run_sync(lambda sync: step(alembic_config(sync)))
                if sqlite:
                    broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                    if broken:
                        raise RuntimeError(f"the migration left dangling references: {broken}")
        finally:
            if sqlite:
                await _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


async def _sqlite_pragma(connection: AsyncConnection, pragma: str) -> None:
    """A pragma on the driver's connection itself, outside any transaction."""
    raw = await connection.get_raw_connection()
    await raw.driver_connection.execute(pragma)  # type: ignore[union-attr]


async def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema (and the reference data it carries) up to `revision`."""
    await _migrate(database, lambda config: command.upgrade(config, revision))


async def downgrade(database: Database, revision: str) -> None:
    """Step the schema back to `revision` (tests of the migrations themselves)."""
    await _migrate(database, lambda config: command.downgrade(config, revision))
