"""Webhook subscriptions and signed deliveries, to a real local receiver that verifies them with
the Standard Webhooks reference library."""

from __future__ import annotations

import json
from datetime import timedelta

import standardwebhooks
from sqlalchemy import select, update

from service.db.repositories.events import delivery, subscription
from service.domain.access import Scope
from tests.factories.registry import BEISHAN, QINGBO, station_body
from tests.support.feed import settled
from tests.support.receiver import receiver


def readme_receiver() -> str:
    """The receiver the README's "Integrating" section shows."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Integrating", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    return str(code)


async def relay(app):  # noqa: ANN001, ANN201
    """One relay round once the feed has caught up with every change so far."""
    await settled(app.state.services)
    return await app.state.relay.run_once()


async def subscribe(client, url, **extra):  # noqa: ANN001, ANN201
    response = await client.post("/v1/webhook-subscriptions", json={"url": url} | extra)
    assert response.status_code == 201, response.text
    return response.json()


def verify(secret: str, received) -> dict:  # noqa: ANN001
    return standardwebhooks.Webhook(secret).verify(received.body, received.headers)


async def test_events_are_delivered_signed_in_order(app, admin, make_client):
    manager = await make_client(Scope.WEBHOOKS_MANAGE)
    with receiver() as local:
        sub = await subscribe(
            manager, local.url, event_types=["station.created", "station.updated"]
        )
        assert sub["secret"].startswith("whsec_") and sub["status"] == "active"
        station = (await admin.post("/v1/stations", json=station_body(BEISHAN))).json()
        await admin.patch(
            f"/v1/stations/{station['id']}", json={"address": "新址"}, headers={"If-Match": "*"}
        )
        queued, sent = await relay(app)
    assert (queued, sent) == (2, 2)
    bodies = [verify(sub["secret"], r) for r in local.received]
    assert [b["type"] for b in bodies] == ["station.created", "station.updated"]
    assert bodies[0]["data"]["subject"]["id"] == station["id"]
    assert len({r.headers["webhook-id"] for r in local.received}) == 2
    deliveries = (await manager.get(f"/v1/webhook-subscriptions/{sub['id']}/deliveries")).json()
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in deliveries["items"]] == [
        ("delivered", 1, 204),
        ("delivered", 1, 204),
    ]
    # The secret is shown once: never in a read, and stored encrypted.
    read = (await manager.get(f"/v1/webhook-subscriptions/{sub['id']}")).json()
    assert "secret" not in read
    async with app.state.services.database.read() as reader:
        stored = await reader.scalar(select(subscription.c.secret))
    assert stored and sub["secret"] not in stored and sub["secret"][6:] not in stored


async def test_a_failure_is_retried_with_the_same_id_and_a_fresh_signature(
    app, admin, make_client, services
):
    manager = await make_client(Scope.WEBHOOKS_MANAGE)
    with receiver() as local:
        local.statuses = [500]
        sub = await subscribe(manager, local.url)
        await admin.post("/v1/stations", json=station_body(BEISHAN))
        await relay(app)
        [first] = (await manager.get(f"/v1/webhook-subscriptions/{sub['id']}/deliveries")).json()[
            "items"
        ]
        assert (first["status"], first["attempts"], first["last_status_code"]) == (
            "pending",
            1,
            500,
        )
        assert first["next_attempt_at"] is not None
        await relay(app)  # not due yet: nothing sent
        assert len(local.received) == 1
        await _make_due(services)
        await relay(app)
    assert len(local.received) == 2
    assert local.received[0].headers["webhook-id"] == local.received[1].headers["webhook-id"]
    verify(sub["secret"], local.received[1])


async def _make_due(services) -> None:  # noqa: ANN001
    async with services.database.session() as session:
        await session.execute(
            update(delivery).values(next_attempt_at=services.clock() - timedelta(seconds=1))
        )
        await session.commit()


async def test_410_stops_for_good_and_says_so(app, admin, make_client):
    manager = await make_client(Scope.WEBHOOKS_MANAGE)
    reader = await make_client(Scope.EVENTS_READ)
    with receiver() as local:
        local.statuses = [410]
        sub = await subscribe(manager, local.url, event_types=["station.created"])
        await admin.post("/v1/stations", json=station_body(BEISHAN))
        await relay(app)
        await admin.post("/v1/stations", json=station_body(QINGBO))
        await relay(app)
    assert len(local.received) == 1
    read = (await manager.get(f"/v1/webhook-subscriptions/{sub['id']}")).json()
    assert (read["status"], read["disabled_reason"]) == ("disabled", "gone")
    await settled(app.state.services)
    events = (
        await reader.get("/v1/events", params={"type": "webhook_subscription.disabled"})
    ).json()
    assert [(e["subject"]["id"], e["data"]["reason"]) for e in events["items"]] == [
        (sub["id"], "gone")
    ]


async def test_sustained_failure_disables_after_the_window(app, admin, make_client, services):
    manager = await make_client(Scope.WEBHOOKS_MANAGE)
    with receiver() as local:
        local.statuses = [503] * 5
        sub = await subscribe(manager, local.url)
        await admin.post("/v1/stations", json=station_body(BEISHAN))
        await relay(app)
        window = services.webhooks.retry.window
        async with services.database.session() as session:
            await session.execute(
                update(delivery).values(
                    first_failed_at=services.clock() - window - timedelta(minutes=1),
                    next_attempt_at=services.clock() - timedelta(seconds=1),
                )
            )
            await session.commit()
        await relay(app)
    read = (await manager.get(f"/v1/webhook-subscriptions/{sub['id']}")).json()
    assert (read["status"], read["disabled_reason"]) == ("disabled", "failing")
    [item] = (await manager.get(f"/v1/webhook-subscriptions/{sub['id']}/deliveries")).json()[
        "items"
    ]
    assert (item["status"], item["attempts"]) == ("failed", 2)


async def test_pause_holds_and_resume_sends(app, admin, make_client):
    manager = await make_client(Scope.WEBHOOKS_MANAGE)
    with receiver() as local:
        sub = await subscribe(manager, local.url)
        paused = await manager.post(f"/v1/webhook-subscriptions/{sub['id']}/pause")
        assert paused.json()["status"] == "paused"
        await admin.post("/v1/stations", json=station_body(BEISHAN))
        await relay(app)
        assert local.received == []
        resumed = await manager.post(f"/v1/webhook-subscriptions/{sub['id']}/resume")
        assert resumed.json()["status"] == "active"
        await relay(app)
    assert len(local.received) == 1


async def test_rotation_signs_with_both_secrets_for_the_grace_period(app, admin, make_client):
    manager = await make_client(Scope.WEBHOOKS_MANAGE)
    with receiver() as local:
        sub = await subscribe(manager, local.url)
        rotated = (
            await manager.post(f"/v1/webhook-subscriptions/{sub['id']}/rotate-secret")
        ).json()
        assert rotated["secret"] != sub["secret"] and rotated["previous_secret_expires_at"]
        await admin.post("/v1/stations", json=station_body(BEISHAN))
        await relay(app)
    [received] = local.received
    verify(sub["secret"], received)
    verify(rotated["secret"], received)


async def test_delete_and_bindings(app, admin, make_client):
    a = (await admin.post("/v1/stations", json=station_body(BEISHAN))).json()
    b = (await admin.post("/v1/stations", json=station_body(QINGBO))).json()
    bound = await make_client(Scope.WEBHOOKS_MANAGE, station_id=a["id"])
    other = await make_client(Scope.WEBHOOKS_MANAGE, station_id=b["id"])
    with receiver() as local:
        sub = await subscribe(bound, local.url)
        refused = await bound.post(
            "/v1/webhook-subscriptions", json={"url": local.url, "station_id": b["id"]}
        )
        assert refused.status_code == 403
        assert (await other.get(f"/v1/webhook-subscriptions/{sub['id']}")).status_code == 404
        assert (await other.get("/v1/webhook-subscriptions")).json()["items"] == []
        # A bound subscription carries its station's events only.
        for station in (a, b):
            await admin.patch(
                f"/v1/stations/{station['id']}", json={"address": "新"}, headers={"If-Match": "*"}
            )
        await relay(app)
        assert {json.loads(r.body)["data"]["station_id"] for r in local.received} == {a["id"]}
        assert (await bound.delete(f"/v1/webhook-subscriptions/{sub['id']}")).status_code == 204
        assert (await bound.get(f"/v1/webhook-subscriptions/{sub['id']}")).status_code == 404


async def test_the_readmes_receiver_accepts_our_delivery_and_refuses_a_forgery(
    app, admin, make_client
):
    import httpx

    code = readme_receiver()
    manager = await make_client(Scope.WEBHOOKS_MANAGE)
    with receiver() as local:
        sub = await subscribe(manager, local.url)
        await admin.post("/v1/stations", json=station_body(BEISHAN))
        await relay(app)
    [delivered] = local.received
    namespace: dict = {}
    exec(code.replace("whsec_…", sub["secret"]), namespace)  # noqa: S102 - the README's own code
    transport = httpx.ASGITransport(app=namespace["app"])
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as client:
        headers = {k: v for k, v in delivered.headers.items() if k.startswith("webhook-")}
        ok = await client.post("/linkage/webhooks", content=delivered.body, headers=headers)
        forged = await client.post(
            "/linkage/webhooks",
            content=delivered.body.replace(b"station", b"stati0n"),
            headers=headers,
        )
    assert (ok.status_code, forged.status_code) == (200, 400)
