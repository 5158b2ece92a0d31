"""The webhook relay: a loop that sends due deliveries, in the app (lifespan) or alone
(`linkage relay`), over one shared httpx.AsyncClient whose every connection is checked.

The client never follows redirects, and connects only to addresses the SSRF guard accepts: the
host is resolved here, each address checked, and the connection made to the checked address (a
name that resolves elsewhere by the time of the connection cannot slip through).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from datetime import timedelta
from typing import Any

import httpcore
import httpx

from service.domain.webhooks import message_headers
from service.settings import Settings
from service.usecases.common import Services
from service.usecases.relay import Answer, Attempt, relay_once
from service.usecases.webhook_policy import UnsafeAddress, WebhookPolicy, safe_addresses

logger = logging.getLogger("linkage.relay")


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves and checks a receiver's host, then connects to a checked address."""

    def __init__(self, policy: WebhookPolicy) -> None:
        self._policy = policy
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await safe_addresses(self._policy, host.strip("[]"), port)
        except UnsafeAddress as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._backend.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise httpcore.ConnectError(str(last) if last else f"cannot connect to {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not webhook receivers")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def webhook_client(settings: Settings, policy: WebhookPolicy) -> httpx.AsyncClient:
    """The shared client: bounded timeouts, no redirects, no proxies from the environment,
    connections only to checked addresses."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(  # the guard sits below the pool
        ssl_context=ssl.create_default_context(),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=30.0,
        network_backend=GuardedBackend(policy),
    )
    return httpx.AsyncClient(
        transport=transport,
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(
            connect=settings.webhook_connect_timeout_seconds,
            read=settings.webhook_read_timeout_seconds,
            write=settings.webhook_read_timeout_seconds,
            pool=settings.webhook_connect_timeout_seconds,
        ),
        headers={"user-agent": "five-society-linkage-webhooks/1"},
    )


def sender(client: httpx.AsyncClient) -> Any:
    """Send one attempt: signed afresh (a new timestamp each time), the same `webhook-id`."""

    async def send(attempt: Attempt) -> Answer:
        headers = message_headers(
            attempt.secrets, attempt.message_id, int(time.time()), attempt.payload
        )
        try:
            response = await client.post(attempt.url, content=attempt.payload, headers=headers)
        except httpx.HTTPError as exc:
            return Answer(None, f"{type(exc).__name__}: {exc}"[:300])
        return Answer(response.status_code)

    return send


class Relay:
    """Sends due deliveries until stopped."""

    def __init__(self, services: Services, settings: Settings) -> None:
        self.services = services
        self.settings = settings
        self.client = webhook_client(settings, services.webhooks)
        self.lease = timedelta(seconds=settings.relay_lease_seconds)
        self._woken: asyncio.Event | None = None

    def wake(self) -> None:
        """Look again soon: this process committed work (Database.on_relay_work)."""
        if self._woken is not None:
            self._woken.set()

    async def run_once(self) -> tuple[int, int]:
        """One round (tests drive the relay with it)."""
        return await relay_once(
            self.services,
            sender(self.client),
            lease=self.lease,
            limit=self.settings.relay_batch_size,
        )

    async def run(self) -> None:
        """Rounds until cancelled; a failed round is logged.

        A round that queued or sent something, or that a wake-up called for, is followed by the
        next after `relay_interval_seconds`; after one that found nothing the pause doubles, up
        to `relay_idle_max_seconds`, so an idle relay costs a query now and then. A commit in
        this process that may give it work ends a long pause early (never a short one: the
        relay looks no more often than at the interval, however busy the writers)."""
        interval = self.settings.relay_interval_seconds
        longest = max(interval, self.settings.relay_idle_max_seconds)
        self._woken = woken = asyncio.Event()
        stop_listening = self.services.database.on_relay_work(self.wake)
        pause = interval
        try:
            while True:
                called = woken.is_set()
                woken.clear()
                try:
                    queued, sent = await self.run_once()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("relay round failed")
                    queued = sent = 0
                pause = interval if queued or sent or called else min(pause * 2, longest)
                await asyncio.sleep(interval)
                if pause > interval:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(woken.wait(), pause - interval)
        finally:
            stop_listening()
            self._woken = None

    async def close(self) -> None:
        """Close the shared client."""
        await self.client.aclose()


def webhook_policy(settings: Settings) -> WebhookPolicy:
    """The webhook policy the settings describe."""
    from service.domain.webhooks import RetryPolicy

    return WebhookPolicy(
        allow_loopback=settings.webhook_allow_loopback,
        retry=RetryPolicy(
            base=timedelta(seconds=settings.webhook_retry_base_seconds),
            cap=timedelta(seconds=settings.webhook_retry_cap_seconds),
            window=timedelta(hours=settings.webhook_retry_window_hours),
        ),
        secret_grace=timedelta(hours=settings.webhook_secret_grace_hours),
    )
