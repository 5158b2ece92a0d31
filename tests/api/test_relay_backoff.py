"""An idle relay looks ever less often (down to `relay_idle_max_seconds`), and work committed
in its own process wakes it at once: a new subscription's first delivery is not held back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from service.domain.access import Scope
from service.relay import Relay
from service.settings import Settings
from service.usecases.common import Services
from tests.factories.registry import BEISHAN, station_body
from tests.support.receiver import Receiver, receiver


@asynccontextmanager
async def running(
    services: Services, settings: Settings, *, interval: float, idle_max: float
) -> AsyncIterator[tuple[list[float], Callable[[int], asyncio.Event]]]:
    """A relay running its loop; yields when each round began, and `after(n)`: an event set
    once n rounds have ended."""
    relay = Relay(
        services,
        settings.model_copy(
            update={"relay_interval_seconds": interval, "relay_idle_max_seconds": idle_max}
        ),
    )
    started: list[float] = []
    waiting: dict[int, asyncio.Event] = {}
    run_once = relay.run_once

    async def counted() -> tuple[int, int]:
        started.append(time.monotonic())
        try:
            return await run_once()
        finally:
            if (done := waiting.get(len(started))) is not None:
                done.set()

    def after(rounds: int) -> asyncio.Event:
        return waiting.setdefault(rounds, asyncio.Event())

    relay.run_once = counted  # type: ignore[method-assign]
    task = asyncio.create_task(relay.run())
    try:
        yield started, after
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await relay.close()


async def delivered(local: Receiver, within: float) -> None:
    """Return once the receiver has had a delivery, or after `within` seconds."""
    for _ in range(int(within / 0.01)):
        if local.received:
            return
        await asyncio.sleep(0.01)


async def test_an_idle_relay_backs_off(services, settings):
    async with running(services, settings, interval=0.02, idle_max=0.32) as (started, _):
        await asyncio.sleep(1.5)
    # At the interval that would be some 75 rounds; doubling (0.04, 0.08 … 0.32) makes it 8.
    assert 4 <= len(started) <= 12, len(started)
    gaps = [b - a for a, b in zip(started, started[1:], strict=False)]
    assert max(gaps) < 0.32 + 0.25, gaps  # never longer than the ceiling (and a round)


async def test_a_new_subscriptions_first_delivery_is_not_held_by_the_back_off(
    services, settings, make_client, admin
):
    manager = await make_client(Scope.WEBHOOKS_MANAGE)
    with receiver() as local:
        async with running(services, settings, interval=0.02, idle_max=20) as (started, after):
            # Seven idle rounds: the relay now pauses 0.02 × 2⁷ = 2.56 s before its next look.
            await asyncio.wait_for(after(7).wait(), timeout=20)
            subscribed = await manager.post("/v1/webhook-subscriptions", json={"url": local.url})
            assert subscribed.status_code == 201, subscribed.text
            made = time.monotonic()
            created = await admin.post("/v1/stations", json=station_body(BEISHAN))
            assert created.status_code == 201, created.text
            await delivered(local, within=5)
            took = time.monotonic() - made
        assert local.received, "never delivered"
    assert took < 1.5, f"delivered after {took:.2f} s: the relay slept through the change"
    assert len(started) > 7


async def test_the_relays_own_rounds_do_not_keep_it_awake(services, settings, make_client, admin):
    """With a subscription and its delivery sent, the relay's own commits (queueing, claiming,
    recording, moving the cursor) are no news to it: it backs off as when nothing exists."""
    manager = await make_client(Scope.WEBHOOKS_MANAGE)
    with receiver() as local:
        subscribed = await manager.post("/v1/webhook-subscriptions", json={"url": local.url})
        assert subscribed.status_code == 201, subscribed.text
        async with running(services, settings, interval=0.02, idle_max=0.32) as (started, _):
            assert (await admin.post("/v1/stations", json=station_body(BEISHAN))).status_code == 201
            await delivered(local, within=20)
            busy = len(started)
            await asyncio.sleep(1.5)
        assert len(local.received) == 1
    assert len(started) - busy <= 12, len(started) - busy
