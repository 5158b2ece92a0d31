"""With LINKAGE_REDIS_URL, replicas share one budget; when Redis fails or stops answering, limits
are counted in each process for a while, logged and measured, and no request waits on Redis.

Needs Redis (LINKAGE_TEST_REDIS_URL, default redis://127.0.0.1:6379/0): skipped without it,
except in CI (CI=true), where a missing Redis fails the suite. Each test keeps its keys under a
prefix of its own."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from urllib.parse import urlsplit

import httpx
import pytest
import redis.asyncio
from fastapi import FastAPI
from pydantic import SecretStr

from service.domain.access import Scope
from service.main import create_app
from service.settings import Settings
from service.usecases.clients import create_client
from service.usecases.common import Services
from tests.api.test_rate_limits import assert_rate_limited, items
from tests.support.tcp_proxy import TcpProxy

HANG = 10.0  # far above the Redis timeout below: a request still running then is a hang

Replica = Callable[..., "asyncio.Future[httpx.AsyncClient]"]


@pytest.fixture(scope="session")
async def redis_url() -> str:
    url = os.environ.get("LINKAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        async with redis.asyncio.from_url(url, socket_connect_timeout=1) as client:
            await client.ping()
    except (redis.RedisError, OSError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI exercises the Redis store, but {url} does not answer: {exc}")
        pytest.skip(f"no Redis at {url} ({exc})")
    return url


@pytest.fixture
async def prefix(redis_url: str) -> AsyncIterator[str]:
    name = f"linkage-test-{uuid.uuid4().hex}"
    yield name
    async with redis.asyncio.from_url(redis_url) as client:
        keys = [key async for key in client.scan_iter(f"{name}*")]
        if keys:
            await client.delete(*keys)


@pytest.fixture
async def replicas(settings: Settings, services: Services, prefix: str) -> AsyncIterator:
    """Start app instances (replicas) on the test database and the given Redis; each call
    gives an HTTP client, as one machine client, to a new replica."""
    issued = await create_client(services, name="replicated", scopes=[Scope.REGISTRY_READ])
    async with AsyncExitStack() as stack:

        async def start(redis_url: str, **overrides: object) -> tuple[FastAPI, httpx.AsyncClient]:
            configured = settings.model_copy(
                update={
                    "redis_url": SecretStr(redis_url),
                    "redis_key_prefix": prefix,
                    "redis_timeout_seconds": 0.2,
                    "rate_limit_default": "3/minute",
                    **overrides,
                }
            )
            app = create_app(configured)
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app),
                    base_url="http://testserver",
                    headers={"Authorization": f"Bearer {issued.api_key}"},
                )
            )
            return app, client

        yield start


async def get(client: httpx.AsyncClient) -> httpx.Response:
    return await asyncio.wait_for(client.get("/v1/divisions", params={"page_size": 1}), HANG)


async def test_replicas_share_one_budget(replicas, redis_url):
    _, one = await replicas(redis_url)
    _, other = await replicas(redis_url)

    assert items((await get(one)).headers["RateLimit"])["default"]["r"] == 2
    assert items((await get(other)).headers["RateLimit"])["default"]["r"] == 1
    assert (await get(one)).status_code == 200
    assert_rate_limited(await get(other), "default")
    assert_rate_limited(await get(one), "default")


def storage_errors(app: FastAPI) -> float:
    return app.state.metrics.rate_limit_storage_errors._value.get()


@pytest.mark.parametrize("failure", ["drop", "reset"])
async def test_a_failing_redis_degrades_to_limits_in_process(replicas, redis_url, failure, caplog):
    address = urlsplit(redis_url)
    proxy = await TcpProxy(address.hostname or "127.0.0.1", address.port or 6379).start()
    try:
        through_proxy = address._replace(netloc=f"127.0.0.1:{proxy.port}").geturl()
        app, client = await replicas(through_proxy)
        assert (await get(client)).status_code == 200  # counted in Redis
        getattr(proxy, failure)()

        with caplog.at_level(logging.WARNING, logger="linkage.rate_limits"):
            answers = [await get(client) for _ in range(4)]
        # Counted afresh in this process, the budget still holds
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert_rate_limited(answers[-1], "default")
        assert storage_errors(app) == 1  # then counted in process, Redis left alone a while
        assert "rate limit store unavailable" in caplog.text

        proxy.pass_traffic()
        app.state.rate_limiter.retry_seconds = 0  # try Redis again at once
        app.state.rate_limiter._shared_down_until = 0
        back = await get(client)
        assert items(back.headers["RateLimit"])["default"]["r"] == 1  # Redis's own count
        assert storage_errors(app) == 1
    finally:
        await proxy.close()
