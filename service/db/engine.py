"""The database handle: one async engine, sessions for writes, lean connections for reads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from service.settings import Settings


def _json_serializer(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def build_engine(settings: Settings) -> AsyncEngine:
    """An engine for the configured database; SQLite gets WAL, foreign keys and explicit BEGINs."""
    url = settings.sqlalchemy_url
    if settings.is_sqlite:
        database = url.split(":///", 1)[1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, json_serializer=_json_serializer)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        url,
        json_serializer=_json_serializer,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # pre-ping costs a round trip per checkout; a dead connection surfaces as a 503 instead
        pool_pre_ping=False,
        pool_recycle=1800,
        connect_args={
            "prepared_statement_cache_size": settings.db_statement_cache_size,
            "statement_cache_size": settings.db_statement_cache_size,
            "server_settings": {"application_name": "linkage"},
        },
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Make SQLite behave like a server database for our purposes.

    The driver's own implicit transactions are switched off so that a write transaction starts
    with BEGIN IMMEDIATE: it takes the write lock up front and waits (busy_timeout) instead of
    failing with "database is locked" when it later upgrades a read lock.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=15000",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_isolation_level() != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the engine. Writes go through `session()`, reads through `read()`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: the caller commits; anything unfinished is rolled back."""
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection in autocommit mode: no BEGIN/ROLLBACK round trips around a read."""
        async with self._reads.connect() as connection:
            yield connection

    async def is_reachable(self, within_seconds: float = 2.0) -> bool:
        """Whether the database answers a trivial query in time."""
        try:
            async with asyncio.timeout(within_seconds), self.read() as connection:
                await connection.execute(text("SELECT 1"))
        except (OSError, TimeoutError, SQLAlchemyError):
            return False
        return True

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
