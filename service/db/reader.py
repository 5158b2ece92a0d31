"""Reads: SQLAlchemy Core statements executed through the leanest path each database offers.

On PostgreSQL a read runs the statement's compiled SQL straight on an asyncpg pool: SQLAlchemy
still builds and compiles the statement (compilation is cached by its cache key), but the
per-execution machinery of the async engine – greenlet hand-off, pool events, result objects –
is skipped. Measured in `bench/`: that machinery costs more than the query. On SQLite (and in
a write transaction) the same statements run through SQLAlchemy as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar, cast

import asyncpg
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import SQLCompiler

from service.db.availability import breaks_connection

Row = dict[str, Any]
T = TypeVar("T")


class Reader(Protocol):
    """Runs a read statement; rows come back as plain dicts."""

    async def fetch_one(
        self, statement: Select[Any], params: Mapping[str, Any] | None = None
    ) -> Row | None: ...

    async def fetch_all(
        self, statement: Select[Any], params: Mapping[str, Any] | None = None
    ) -> list[Row]: ...

    async def scalar(
        self, statement: Select[Any], params: Mapping[str, Any] | None = None
    ) -> Any: ...


class SqlAlchemyReader:
    """Reads through a SQLAlchemy connection or session (SQLite; inside a unit of work)."""

    def __init__(self, executor: AsyncConnection | AsyncSession) -> None:
        self.executor = executor

    async def fetch_one(
        self, statement: Select[Any], params: Mapping[str, Any] | None = None
    ) -> Row | None:
        row = (await self.executor.execute(statement, params)).mappings().first()
        return None if row is None else dict(row)

    async def fetch_all(
        self, statement: Select[Any], params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        return [dict(row) for row in (await self.executor.execute(statement, params)).mappings()]

    async def scalar(self, statement: Select[Any], params: Mapping[str, Any] | None = None) -> Any:
        return (await self.executor.execute(statement, params)).scalar()


class StatementCache:
    """Compiled SQL per statement shape, as SQLAlchemy's own cache keys them; bounded LRU."""

    def __init__(self, dialect: Dialect, size: int = 500) -> None:
        self.dialect = dialect
        self.size = size
        self._compiled: OrderedDict[Any, SQLCompiler] = OrderedDict()
        # A statement object used again (a module-level or shape-cached one) skips even the
        # cache key, which costs milliseconds for a large statement.
        self._by_statement: weakref.WeakKeyDictionary[
            Select[Any], tuple[SQLCompiler, Sequence[Any]]
        ] = weakref.WeakKeyDictionary()

    def render(
        self, statement: Select[Any], params: Mapping[str, Any] | None
    ) -> tuple[str, list[Any]]:
        """The SQL text and positional arguments to run `statement` with."""
        seen = self._by_statement.get(statement)
        if seen is not None:
            known, bound = seen
            return self._positional(
                known, known.construct_params(params, extracted_parameters=bound)
            )
        key = statement._generate_cache_key()
        if key is None:
            return self._arguments(self._compile(statement), params)
        compiled = self._compiled.get(key.key)
        if compiled is None:
            compiled = self._compile(statement, cache_key=key)
            if compiled.post_compile_params:
                # IN (…) lists expand with their length: render this one in full, uncached.
                valued = statement.params(dict(params)) if params else statement
                return self._arguments(self._compile(valued, render_postcompile=True), None)
            self._compiled[key.key] = compiled
            if len(self._compiled) > self.size:
                self._compiled.popitem(last=False)
        else:
            self._compiled.move_to_end(key.key)
        self._by_statement[statement] = (compiled, key.bindparams)
        values = compiled.construct_params(params, extracted_parameters=key.bindparams)
        return self._positional(compiled, values)

    def _compile(
        self, statement: Select[Any], *, cache_key: Any = None, render_postcompile: bool = False
    ) -> SQLCompiler:
        kwargs: dict[str, Any] = {"cache_key": cache_key} if cache_key is not None else {}
        if render_postcompile:
            kwargs["compile_kwargs"] = {"render_postcompile": True}
        compiled = statement.compile(dialect=self.dialect, **kwargs)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError(f"cannot read with {type(statement).__name__}")
        return compiled

    def _arguments(
        self, compiled: SQLCompiler, params: Mapping[str, Any] | None
    ) -> tuple[str, list[Any]]:
        return self._positional(compiled, compiled.construct_params(params))

    @staticmethod
    def _positional(compiled: SQLCompiler, values: Mapping[str, Any]) -> tuple[str, list[Any]]:
        processors = cast(Mapping[str, Callable[[Any], Any]], compiled._bind_processors)
        arguments = [
            processors[name](values[name]) if name in processors else values[name]
            for name in compiled.positiontup or ()
        ]
        return compiled.string, arguments


class AsyncpgReader:
    """Reads on a plain asyncpg pool (PostgreSQL), waiting at most `acquire_timeout` seconds for
    a connection; the pool's command timeout bounds each statement."""

    def __init__(
        self, pool: asyncpg.Pool, statements: StatementCache, acquire_timeout: float | None = None
    ) -> None:
        self.pool = pool
        self.statements = statements
        self.acquire_timeout = acquire_timeout

    async def fetch_one(
        self, statement: Select[Any], params: Mapping[str, Any] | None = None
    ) -> Row | None:
        sql, arguments = self.statements.render(statement, params)
        record = await self._run(lambda connection: connection.fetchrow(sql, *arguments))
        return None if record is None else dict(record)

    async def fetch_all(
        self, statement: Select[Any], params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        sql, arguments = self.statements.render(statement, params)
        records = await self._run(lambda connection: connection.fetch(sql, *arguments))
        if not records:
            return []
        names = tuple(records[0].keys())  # a third faster than dict(record), row by row
        return [dict(zip(names, record, strict=True)) for record in records]

    async def scalar(self, statement: Select[Any], params: Mapping[str, Any] | None = None) -> Any:
        sql, arguments = self.statements.render(statement, params)
        return await self._run(lambda connection: connection.fetchval(sql, *arguments))

    async def _run(self, query: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        """Run on a pooled connection. One that timed out, lost its socket or was interrupted
        is terminated, not returned: asyncpg would otherwise wait for the server to confirm a
        cancellation, and a server that drops packets never does."""
        async with asyncio.timeout(self.acquire_timeout):
            connection = await self.pool.acquire()
        try:
            return await query(connection)
        except BaseException as exc:
            if breaks_connection(exc):  # not an answer on a sound connection
                with contextlib.suppress(asyncpg.InterfaceError):  # asyncpg let go of it
                    connection.terminate()
            raise
        finally:
            await self.pool.release(connection)
