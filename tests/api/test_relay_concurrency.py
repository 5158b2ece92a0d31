"""Several relays at once never send one delivery twice: on PostgreSQL each claims with
FOR UPDATE SKIP LOCKED; on SQLite the write lock serialises the claims."""

from __future__ import annotations

import asyncio
from collections import Counter

from service.domain.access import Scope
from service.relay import Relay
from tests.factories.registry import station_body, townships
from tests.support.feed import settled
from tests.support.receiver import receiver


async def test_two_relays_never_deliver_twice(app, admin, make_client, services, settings):
    manager = await make_client(Scope.WEBHOOKS_MANAGE)
    with receiver() as local:
        subscriptions = [
            (await manager.post("/v1/webhook-subscriptions", json={"url": f"{local.url}/{n}"}))
            for n in range(4)
        ]
        assert all(s.status_code == 201 for s in subscriptions)
        for township in [t["code"] for t in townships()][:6]:
            assert (
                await admin.post("/v1/stations", json=station_body(township))
            ).status_code == 201
        await settled(services)
        relays = [Relay(services, settings) for _ in range(3)]
        try:
            for _ in range(4):
                await asyncio.gather(*(relay.run_once() for relay in relays))
        finally:
            for relay in relays:
                await relay.close()
    ids = Counter(r.headers["webhook-id"] for r in local.received)
    assert len(ids) == 4 * 6, "every event to every subscription"
    assert max(ids.values()) == 1, [i for i, n in ids.items() if n > 1]
