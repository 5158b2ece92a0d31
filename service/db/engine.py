"""The database handle: one async engine, sessions for writes, lean connections for reads."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from sqlalchemy import event, literal, select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from service.db.availability import DatabaseUnavailable, is_outage
from service.db.outbox import ON_RELAY_WORK, OutboxSession
from service.db.reader import AsyncpgReader, Reader, SqlAlchemyReader, StatementCache
from service.db.types import json_text, sqlite_distance_km
from service.settings import Settings


def build_engine(settings: Settings, *, bounded_statements: bool = True) -> AsyncEngine:
    """An engine for the configured database; SQLite gets WAL, foreign keys and explicit BEGINs.

    On PostgreSQL every wait is bounded: connecting, a free pooled connection, and (unless
    `bounded_statements` is off, as it is for migrations, whose index builds may take long)
    each statement, on the server (`statement_timeout`) and in the driver.
    """
    url = settings.sqlalchemy_url
    if settings.is_sqlite:
        database = url.split(":///", 1)[1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, json_serializer=json_text)
        _configure_sqlite(engine)
        return engine
    cache = _statement_cache_size(settings)
    connect_args: dict[str, Any] = {
        "prepared_statement_cache_size": cache,
        "statement_cache_size": cache,
        "timeout": settings.db_connect_timeout_seconds,
        "server_settings": _server_settings(
            settings, "linkage", settings.db_statement_timeout_seconds if bounded_statements else 0
        ),
    }
    if settings.db_pgbouncer:
        # SQLAlchemy prepares every statement by name; behind PgBouncer two clients' statements
        # meet on one server connection, so each name must be unique
        connect_args["prepared_statement_name_func"] = _unique_statement_name
    if bounded_statements:
        connect_args["command_timeout"] = settings.db_command_timeout_seconds
    return create_async_engine(
        url,
        json_serializer=json_text,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        # pre-ping costs a round trip per checkout; `Database` discards suspect connections at
        # checkout instead (closed ones, and all opened before an outage)
        pool_pre_ping=False,
        pool_recycle=1800,
        connect_args=connect_args,
    )


def _milliseconds(seconds: float) -> str:
    return str(max(1, round(seconds * 1000))) if seconds else "0"


def _statement_cache_size(settings: Settings) -> int:
    return 0 if settings.db_pgbouncer else settings.db_statement_cache_size


def _server_settings(settings: Settings, application: str, timeout: float) -> dict[str, str]:
    """Startup parameters. PgBouncer 1.18 refuses `statement_timeout` at connect: behind it
    the role's setting applies (the README's "Running in production")."""
    parameters = {"application_name": application}
    if not settings.db_pgbouncer:
        parameters["statement_timeout"] = _milliseconds(timeout)
    return parameters


def _unique_statement_name() -> str:
    return f"__linkage_{uuid.uuid4().hex}__"


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
        # Matching's radius test (`great_circle_km`): the very haversine the domain computes.
        dbapi_connection.create_function("distance_km", 4, sqlite_distance_km, deterministic=True)

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
        # Every unit of work writes the outbox events of its changes (service/db/outbox.py).
        # After a commit that may give the webhook relay work, its listeners hear of it.
        self._relay_listeners: list[Callable[[], None]] = []
        self._sessions = async_sessionmaker(
            engine,
            expire_on_commit=False,
            autoflush=False,
            sync_session_class=OutboxSession,
            info={ON_RELAY_WORK: self._relay_work},
        )
        self._statements = StatementCache(engine.dialect)
        self._read_pool: asyncpg.Pool | None = None
        self._read_pool_timeout = self._command_timeout = 0.0
        # Bumped when a connection fails: every connection opened before then is suspect.
        self._generation = 0
        if self.dialect == "postgresql":
            event.listen(engine.sync_engine, "connect", self._stamp_generation)
            event.listen(engine.sync_engine, "checkout", self._discard_suspect_connection)

    def _relay_work(self) -> None:
        for listener in tuple(self._relay_listeners):
            listener()

    def on_relay_work(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after each commit here that wrote outbox events, added a webhook
        subscription or changed one's status (in the event loop, from the committing task);
        the answer stops it. Commits in other processes are not heard."""
        self._relay_listeners.append(listener)
        return lambda: self._relay_listeners.remove(listener)

    def _stamp_generation(self, _dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["generation"] = self._generation

    def _discard_suspect_connection(
        self, dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any
    ) -> None:
        """Replace a pooled connection before use when the server closed it while it was idle,
        or when it dates from before an outage; both known without a round trip."""
        if (
            dbapi_connection.driver_connection.is_closed()
            or record.info.get("generation") != self._generation
        ):
            raise DisconnectionError("a pooled connection from before an outage")

    async def _outage(self, error: BaseException) -> DatabaseUnavailable:
        """After a failed connection, every pooled one is replaced before its next use."""
        self._generation += 1
        if self._read_pool is not None:
            await self._read_pool.expire_connections()
        return DatabaseUnavailable(str(error) or type(error).__name__)

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
            statement_cache_size=_statement_cache_size(settings),
            init=_register_json_codecs,
            reset=_keep_session_state,
            timeout=settings.db_connect_timeout_seconds,
            command_timeout=settings.db_command_timeout_seconds,
            server_settings=_server_settings(
                settings, "linkage-reads", settings.db_statement_timeout_seconds
            ),
        )
        self._read_pool_timeout = settings.db_pool_timeout_seconds
        self._command_timeout = settings.db_command_timeout_seconds

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: the caller commits; anything unfinished is rolled back.

        When the database fails under it, its connections are dropped rather than returned to
        the pool (a rollback on a dead connection would wait for nothing) and the failure is
        raised as DatabaseUnavailable.
        """
        async with self._sessions() as session:
            try:
                yield session
            except BaseException as exc:
                outage = is_outage(exc)
                if outage or isinstance(exc, asyncio.CancelledError):
                    await session.invalidate()
                if outage:
                    raise await self._outage(exc) from exc
                raise

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Reader]:
        """A reader outside any transaction: the asyncpg pool, or an autocommit connection."""
        try:
            if self._read_pool is not None:
                yield AsyncpgReader(self._read_pool, self._statements, self._read_pool_timeout)
                return
            async with self._reads.connect() as connection:
                yield SqlAlchemyReader(connection)
        except Exception as exc:
            if is_outage(exc):
                raise await self._outage(exc) from exc
            raise

    async def is_reachable(self, within_seconds: float = 2.0) -> bool:
        """Whether the database answers a trivial query in time."""
        try:
            async with asyncio.timeout(within_seconds), self.read() as reader:
                await reader.scalar(select(literal(1)))
        except (DatabaseUnavailable, OSError, TimeoutError, SQLAlchemyError, asyncpg.PostgresError):
            return False
        return True

    async def dispose(self) -> None:
        """Close every pooled connection."""
        if self._read_pool is not None:
            try:
                # Graceful close waits for connections in use; a dead database must not hold
                # up shutdown for longer than one statement may take.
                async with asyncio.timeout(self._read_pool_timeout + self._command_timeout):
                    await self._read_pool.close()
            except TimeoutError:
                self._read_pool.terminate()
            self._read_pool = None
        await self.engine.dispose()
