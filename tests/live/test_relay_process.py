"""A real `linkage relay` process, killed (SIGKILL) in the middle of a batch: nothing is lost.
A second relay takes over once the first one's lease on the delivery in flight has lapsed; every
event reaches the receiver at least once, in feed order."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from service.domain.access import Scope
from tests.conftest import TEST_PII_KEY
from tests.factories.registry import BEISHAN, station_body
from tests.support.feed import settled
from tests.support.receiver import receiver

pytestmark = pytest.mark.slow
CHANGES = 25


def start_relay(settings, tmp_path) -> subprocess.Popen[bytes]:  # noqa: ANN001
    env = os.environ | {
        "LINKAGE_DATABASE_URL": settings.sqlalchemy_url,
        "LINKAGE_DATA_DIR": str(tmp_path),
        "LINKAGE_PII_KEY": TEST_PII_KEY,
        "LINKAGE_WEBHOOK_ALLOW_LOOPBACK": "true",
        "LINKAGE_RELAY_INTERVAL_SECONDS": "0.05",
        "LINKAGE_RELAY_BATCH_SIZE": "5",
        "LINKAGE_RELAY_LEASE_SECONDS": "10",
        "LINKAGE_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "relay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, within: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not within {within} s")
        time.sleep(0.02)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


async def test_a_killed_relay_loses_nothing(admin, make_client, services, settings, tmp_path):
    manager = await make_client(Scope.WEBHOOKS_MANAGE)
    with receiver() as local:
        local.delay = 0.05  # each answer takes a moment: the kill lands mid-batch
        response = await manager.post(
            "/v1/webhook-subscriptions",
            json={"url": local.url, "event_types": ["station.created", "station.updated"]},
        )
        assert response.status_code == 201, response.text
        station = (await admin.post("/v1/stations", json=station_body(BEISHAN))).json()
        for n in range(CHANGES):
            changed = await admin.patch(
                f"/v1/stations/{station['id']}",
                json={"address": f"第{n}号"},
                headers={"If-Match": "*"},
            )
            assert changed.status_code == 200
        await settled(services)

        first = start_relay(settings, tmp_path)
        try:
            wait_for(lambda: len(local.received) >= 6, 30, "the first deliveries")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            stop(first)
        killed_after = len(local.received)
        assert killed_after < CHANGES + 1, "the relay finished before it was killed"

        second = start_relay(settings, tmp_path)
        try:
            versions = lambda: {  # noqa: E731
                json.loads(r.body)["data"]["subject"]["version"] for r in local.received
            }
            wait_for(lambda: versions() == set(range(1, CHANGES + 2)), 60, "every event")
        finally:
            stop(second)

    received = [json.loads(r.body)["data"]["subject"]["version"] for r in local.received]
    assert received == sorted(received), "out of order for the subscription"
    assert set(received) == set(range(1, CHANGES + 2))
