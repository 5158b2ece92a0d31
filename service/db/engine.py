"""The database handle: one async engine, sessions for writes, lean connections for reads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from sqlalchemy import event, literal, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from service.db.reader import AsyncpgReader, Reader, SqlAlchemyReader, StatementCache
from service.db.types import json_text
from service.settings import Settings


def build_engine(settings: Settings) -> AsyncEngine:
    """An engine for the configured database; SQLite gets WAL, foreign keys and explicit BEGINs."""
    url = settings.sqlalchemy_url
    if settings.is_sqlite:
        database = url.split(":///", 1)[1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, json_serializer=json_text)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        url,
        json_serializer=json_text,
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
        # Reads run on autocommit connections (`Database.read`): no transaction, no lock, so
        # a read never queues behind a writer, nor waits on the unit of work that issued it.
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


_ASYNCPG_DSN_OPTIONS = frozenset(
    {"sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "target_session_attrs"}
)


async def _keep_session_state(connection: asyncpg.Connection) -> None:
    """Reads change no session state (no SET, LISTEN or locks), so skip asyncpg's reset query."""


def _json_parameter(value: object) -> str:
    """A JSON parameter as text. Statements are rendered with SQLAlchemy's bind processors,
    which serialise JSON already: their text passes as it is; anything else is serialised."""
    return value if isinstance(value, str) else json_text(value)


async def _register_json_codecs(connection: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name, encoder=_json_parameter, decoder=orjson.loads, schema="pg_catalog"
        )


class Database:
    """Owns the engine (writes: `session()`) and, on PostgreSQL, a lean read pool (`read()`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self._statements = StatementCache(engine.dialect)
        self._read_pool: asyncpg.Pool | None = None

    async def open_read_pool(self, settings: Settings) -> None:
        """On PostgreSQL, open the asyncpg pool reads run on (the replica's, when one is set)."""
        if self.dialect != "postgresql" or self._read_pool is not None:
            return
        url = make_url(settings.read_url)
        options = {k: v for k, v in url.query.items() if k in _ASYNCPG_DSN_OPTIONS}
        dsn = url.set(drivername="postgresql", query=options).render_as_string(hide_password=False)
        self._read_pool = await asyncpg.create_pool(
            dsn,
            min_size=0,  # connect on first use: without a database the app starts, not ready
            max_size=settings.db_pool_size,
            statement_cache_size=settings.db_statement_cache_size,
            init=_register_json_codecs,
            reset=_keep_session_state,
            server_settings={"application_name": "linkage-reads"},
        )

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: the caller commits; anything unfinished is rolled back."""
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Reader]:
        """A reader outside any transaction: the asyncpg pool, or an autocommit connection."""
        if self._read_pool is not None:
            yield AsyncpgReader(self._read_pool, self._statements)
            return
        async with self._reads.connect() as connection:
            yield SqlAlchemyReader(connection)

    async def is_reachable(self, within_seconds: float = 2.0) -> bool:
        """Whether the database answers a trivial query in time."""
        try:
            async with asyncio.timeout(within_seconds), self.read() as reader:
                await reader.scalar(select(literal(1)))
        except (OSError, TimeoutError, SQLAlchemyError, asyncpg.PostgresError):
            return False
        return True

    async def dispose(self) -> None:
        """Close every pooled connection."""
        if self._read_pool is not None:
            await self._read_pool.close()
            self._read_pool = None
        await self.engine.dispose()
