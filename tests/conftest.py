"""Test fixtures: a real database (PostgreSQL when LINKAGE_TEST_DATABASE_URL is set, else SQLite),
migrated with Alembic once per session, emptied of everything but reference data after each test."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from service.db.engine import Database, build_engine
from service.db.migrate import upgrade
from service.domain.access import Scope
from service.http.rate_limits import RateLimiter
from service.main import create_app
from service.settings import Settings
from service.usecases.clients import create_client
from service.usecases.common import Services
from tests.pii_patterns import Leak, leak_in

REFERENCE_TABLES = {"division", "alembic_version", "audit_event"}  # audit is append-only
TEST_PII_KEY = "dGVzdC1vbmx5LXBpaS1rZXktMzItYnl0ZXMtbG9uZyE="  # 32 bytes, tests only

ClientFactory = Callable[..., Awaitable[httpx.AsyncClient]]
RATE_LIMIT_SETTINGS = (
    "rate_limit_default",
    "rate_limit_identifier_search",
    "rate_limit_contact",
    "rate_limit_candidates",
    "rate_limit_allocation_runs",
    "rate_limit_unknown_keys",
)
UNLIMITED = {name: "1000000/second" for name in RATE_LIMIT_SETTINGS}

# No timings in pass/fail tests: Hypothesis' per-example deadline fails a property on a busy
# machine. Under mutmut (make mutate), which runs the tests once per mutant, fewer examples.
hypothesis.settings.register_profile("suite", deadline=None)
hypothesis.settings.register_profile("mutation", max_examples=25, deadline=None)
hypothesis.settings.load_profile("mutation" if "MUTANT_UNDER_TEST" in os.environ else "suite")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("LINKAGE_TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set LINKAGE_TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("LINKAGE_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'linkage-test.db'}"


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        data_dir=Path(tmp_path_factory.mktemp("data")),
        auth_cache_seconds=0,
        access_log=False,
        bootstrap_admin=False,
        tune_gc=False,  # the suite builds many apps; freezing each one's objects would pile up
        pii_key=TEST_PII_KEY,
        match_totals_cache_seconds=0,
        housekeeping_interval_seconds=24 * 3600,  # once, at start; tests sweep themselves
        relay_enabled=False,  # tests drive the webhook relay themselves (app.state.relay)
        webhook_allow_loopback=True,  # receivers in tests listen on 127.0.0.1
        **UNLIMITED,  # tests of the limits set their own (`rate_limits`)
        _env_file=None,  # type: ignore[call-arg]
    )


async def reset_schema(url: str) -> None:
    """Start from an empty database: drop whatever a previous run left."""
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        else:
            await connection.run_sync(SQLModel.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await engine.dispose()


@pytest.fixture(scope="session")
async def migrated(settings: Settings) -> None:
    await reset_schema(settings.sqlalchemy_url)
    database = Database(build_engine(settings))
    await upgrade(database)
    await database.dispose()


@pytest.fixture(scope="session")
async def app(settings: Settings, migrated: None) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
def services(app: FastAPI) -> Services:
    result: Services = app.state.services
    return result


async def empty_tables(database: Database) -> None:
    async with database.engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                await connection.execute(table.delete())


@pytest.fixture
def rate_limits(app: FastAPI, settings: Settings) -> Iterator[Callable[..., RateLimiter]]:
    """Limit this test's app to the given rates (`default="3/minute"`, `contact=…`); the
    suite's own settings are unlimited. The app's limiter is restored afterwards."""
    original = app.state.rate_limiter

    def install(**rates: str) -> RateLimiter:
        configured = settings.model_copy(update={f"rate_limit_{k}": v for k, v in rates.items()})
        app.state.rate_limiter = RateLimiter.from_settings(configured, app.state.metrics)
        limiter: RateLimiter = app.state.rate_limiter
        return limiter

    yield install
    app.state.rate_limiter = original


@pytest.fixture
async def isolated(services: Services) -> AsyncIterator[None]:
    """Leave the database as the test found it: reference data only."""
    yield
    await empty_tables(services.database)


@pytest.fixture
async def make_client(app: FastAPI, services: Services) -> AsyncIterator[ClientFactory]:
    """Build an HTTP client authenticated as a new machine client with the given scopes."""
    opened: list[httpx.AsyncClient] = []

    async def factory(
        *scopes: Scope,
        station_id: uuid.UUID | str | None = None,
        organisation_id: uuid.UUID | str | None = None,
        name: str = "test",
    ) -> httpx.AsyncClient:
        station = uuid.UUID(str(station_id)) if station_id is not None else None
        organisation = uuid.UUID(str(organisation_id)) if organisation_id is not None else None
        issued = await create_client(
            services, name=name, scopes=scopes, station_id=station, organisation_id=organisation
        )
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {issued.api_key}"},
        )
        client.client_id = issued.record.id  # type: ignore[attr-defined]
        opened.append(client)
        return client

    yield factory
    for client in opened:
        await client.aclose()


@pytest.fixture
async def admin(make_client: ClientFactory) -> httpx.AsyncClient:
    return await make_client(Scope.ADMIN, name="admin")


@pytest.fixture
async def pii_admin(make_client: ClientFactory) -> httpx.AsyncClient:
    """An unbound client that administers and may read personal data (never audits)."""
    return await make_client(Scope.ADMIN, Scope.PII_READ, name="pii-admin")


@pytest.fixture
async def anonymous(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


def rows_of(items: Iterable[dict[str, object]], key: str) -> list[object]:
    return [item[key] for item in items]


class QueryCounter:
    """Counts SQL statements sent to the database while active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement, _params, _context, _many) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            return
        if "idempotency_record" in statement:  # the background purge may run at any moment
            return
        self.statements.append(statement)


@pytest.fixture
def count_queries(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], QueryCounter]]:
    """Start counting statements, on SQLAlchemy's engine and on the asyncpg read path alike."""
    from sqlalchemy import event

    engine = services.database.engine.sync_engine
    statements = services.database._statements
    render = statements.render
    counters: list[QueryCounter] = []

    def counted_render(statement, params):  # noqa: ANN001, ANN202
        sql, arguments = render(statement, params)
        for counter in counters:
            counter.statements.append(sql)
        return sql, arguments

    monkeypatch.setattr(statements, "render", counted_render)

    def start() -> QueryCounter:
        counter = QueryCounter()
        event.listen(engine, "before_cursor_execute", counter)
        counters.append(counter)
        return counter

    yield start
    for counter in counters:
        event.remove(engine, "before_cursor_execute", counter)


# --- PII scan ------------------------------------------------------------------------------------
# Every response any test receives from httpx (sync or async, in-process or from a live server)
# is scanned for personal numbers by pattern (tests/pii_patterns.py); only the `.../contact`
# endpoints may answer with one. A leak fails the session at its end, listing the requests that
# showed one. The Schemathesis run of tests/live/test_contract.py applies the same patterns.


@dataclass
class PiiScan:
    """What the session's scan has seen: how many responses, and which of them leaked."""

    scanned: int = 0
    unread: int = 0
    leaks: list[Leak] = field(default_factory=list)

    def see(self, request: httpx.Request, response: httpx.Response) -> None:
        try:
            body = response.text
        except httpx.ResponseNotRead:  # a streamed response the test never read
            self.unread += 1
            return
        self.scanned += 1
        leak = leak_in(request.method, str(request.url), response.status_code, body)
        if leak is not None:
            self.leaks.append(leak)


@pytest.fixture(scope="session", autouse=True)
def pii_scan() -> Iterator[PiiScan]:
    """Record every httpx response of the session; fail at its end if one leaked."""
    scan = PiiScan()
    async_send, sync_send = httpx.AsyncClient.send, httpx.Client.send

    async def scanned_async_send(
        self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any
    ) -> httpx.Response:
        response = await async_send(self, request, **kwargs)
        scan.see(request, response)
        return response

    def scanned_sync_send(
        self: httpx.Client, request: httpx.Request, **kwargs: Any
    ) -> httpx.Response:
        response = sync_send(self, request, **kwargs)
        scan.see(request, response)
        return response

    patch = pytest.MonkeyPatch()
    patch.setattr(httpx.AsyncClient, "send", scanned_async_send)
    patch.setattr(httpx.Client, "send", scanned_sync_send)
    try:
        yield scan
    finally:
        patch.undo()
    if scan.leaks:
        listed = "\n  ".join(str(leak) for leak in scan.leaks)
        pytest.fail(
            f"{len(scan.leaks)} of {scan.scanned} responses showed an ID number, a mobile or a"
            f" person's landline outside a contact endpoint:\n  {listed}",
            pytrace=False,
        )
