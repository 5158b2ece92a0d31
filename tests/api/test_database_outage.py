"""A database that drops packets, resets connections or is too slow answers a fast 503, and the
service recovers by itself. A TCP proxy stands between a real app and the shared PostgreSQL
(which is never stopped); the app's timeouts are short so that every test ends in seconds."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import func, select, text

from service.db.availability import DatabaseUnavailable
from service.domain.access import Scope
from service.main import create_app
from service.settings import Settings
from service.usecases.clients import create_client
from service.usecases.common import Services
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres_only

# Far above the bounds below: a request still running then is a hang, not a slow answer.
HANG = 15.0
TIMEOUTS = {
    "db_connect_timeout_seconds": 1.0,
    "db_pool_timeout_seconds": 1.0,
    "db_command_timeout_seconds": 1.5,
    "db_statement_timeout_seconds": 1.0,
}
STATION = {
    "township_code": "330106002",
    "status": "operating",
    "operating_mode": "purchased_service",
}


@pytest.fixture
async def proxy(settings: Settings) -> AsyncIterator[TcpProxy]:
    address = urlsplit(settings.sqlalchemy_url)
    started = await TcpProxy(address.hostname or "127.0.0.1", address.port or 5432).start()
    yield started
    await started.close()


def through(proxy: TcpProxy, settings: Settings) -> Settings:
    """The suite's settings with short timeouts and the database reached through the proxy."""
    address = urlsplit(settings.sqlalchemy_url)
    url = address._replace(netloc=f"{address.username}@127.0.0.1:{proxy.port}").geturl()
    return settings.model_copy(update={"database_url": SecretStr(url), **TIMEOUTS})


@pytest.fixture
async def app_behind_proxy(settings: Settings, proxy: TcpProxy) -> AsyncIterator[FastAPI]:
    application = create_app(through(proxy, settings))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app_behind_proxy: FastAPI, services: Services) -> AsyncIterator[httpx.AsyncClient]:
    issued = await create_client(services, name="outage", scopes=[Scope.ADMIN])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app_behind_proxy),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {issued.api_key}"},
    ) as http:
        yield http


# The read pool, the fast read ahead of the framework, a unit of work, and the probe.
CALLS = [
    ("GET", "/v1/stations", None),
    ("GET", f"/v1/stations/{uuid.uuid4()}", None),
    ("POST", "/v1/stations", STATION),
    ("GET", "/readyz", None),
]


async def answer(client: httpx.AsyncClient, method: str, path: str, body: object) -> httpx.Response:
    return await asyncio.wait_for(client.request(method, path, json=body), HANG)


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "database_unavailable"
    assert int(response.headers["Retry-After"]) > 0


async def assert_recovered(client: httpx.AsyncClient) -> None:
    assert (await answer(client, "GET", "/readyz", None)).status_code == 200
    assert (await answer(client, "GET", "/v1/stations", None)).status_code == 200
    created = await answer(client, "POST", "/v1/stations", STATION)
    assert created.status_code == 201, created.text


async def warm_up(client: httpx.AsyncClient) -> None:
    """Leave pooled connections open on both pools, so a failure meets them mid-life."""
    assert (await answer(client, "GET", "/v1/stations", None)).status_code == 200
    assert (await answer(client, "GET", "/readyz", None)).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
async def test_a_blackholed_database_answers_503_not_a_hang(
    client: httpx.AsyncClient, proxy: TcpProxy, method: str, path: str, body: object
) -> None:
    await warm_up(client)
    proxy.drop()
    assert_unavailable(await answer(client, method, path, body))
    proxy.pass_traffic()
    await assert_recovered(client)


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
async def test_a_database_that_resets_connections_answers_503_not_500(
    client: httpx.AsyncClient, proxy: TcpProxy, method: str, path: str, body: object
) -> None:
    await warm_up(client)
    proxy.reset()
    assert_unavailable(await answer(client, method, path, body))
    proxy.pass_traffic()
    await assert_recovered(client)


async def test_an_unreachable_database_answers_503_from_the_start(
    settings: Settings, services: Services
) -> None:
    issued = await create_client(services, name="unreachable", scopes=[Scope.ADMIN])
    proxy = await TcpProxy("127.0.0.1", 9).start()  # nothing listens on the discard port
    application = create_app(through(proxy, settings))
    try:
        async with (
            application.router.lifespan_context(application),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=application),
                base_url="http://testserver",
                headers={"Authorization": f"Bearer {issued.api_key}"},
            ) as http,
        ):
            for method, path, body in CALLS:
                assert_unavailable(await answer(http, method, path, body))
    finally:
        await proxy.close()


@pytest.fixture
async def app_with_one_connection(settings: Settings, proxy: TcpProxy) -> AsyncIterator[FastAPI]:
    application = create_app(through(proxy, settings).model_copy(update={"db_pool_size": 1}))
    async with application.router.lifespan_context(application):
        yield application


async def test_a_busy_pool_is_503_after_the_pool_timeout(
    app_with_one_connection: FastAPI, services: Services
) -> None:
    issued = await create_client(services, name="busy", scopes=[Scope.ADMIN])
    database = app_with_one_connection.state.services.database
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app_with_one_connection),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {issued.api_key}"},
    ) as http:
        assert (await answer(http, "GET", "/readyz", None)).status_code == 200
        async with database.read() as reader:  # takes the read pool's only connection …
            connection = await reader.pool.acquire()  # type: ignore[attr-defined]
            try:
                assert_unavailable(await answer(http, "GET", "/v1/stations", None))
            finally:
                await reader.pool.release(connection)  # type: ignore[attr-defined]
        async with database.engine.connect():  # … and the write pool's
            assert_unavailable(await answer(http, "POST", "/v1/stations", STATION))
        assert (await answer(http, "GET", "/v1/stations", None)).status_code == 200


async def test_every_connection_carries_the_statement_timeout(app_behind_proxy: FastAPI) -> None:
    database = app_behind_proxy.state.services.database
    async with database.read() as reader:
        assert await reader.scalar(select(func.current_setting("statement_timeout"))) == "1s"
    async with database.session() as session:
        assert (await session.execute(text("SHOW statement_timeout"))).scalar() == "1s"


async def test_a_statement_past_the_timeout_is_cancelled_as_unavailable(
    app_behind_proxy: FastAPI,
) -> None:
    database = app_behind_proxy.state.services.database
    with pytest.raises(DatabaseUnavailable):
        async with database.read() as reader:
            await asyncio.wait_for(reader.scalar(select(func.pg_sleep(30))), HANG)
    with pytest.raises(DatabaseUnavailable):
        async with database.session() as session:
            await asyncio.wait_for(session.execute(select(func.pg_sleep(30))), HANG)
    async with database.read() as reader:  # the pool is usable afterwards
        assert await reader.scalar(select(func.now())) is not None
