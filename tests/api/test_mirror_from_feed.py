"""A consumer that mirrors the stations from the change feed alone (reading each changed
station through the API) ends with exactly what the API lists, after random changes."""

from __future__ import annotations

import random

from service.domain.access import Scope
from tests.factories.registry import station_body, townships
from tests.support.feed import settled


async def test_a_mirror_built_from_the_feed_matches_the_api(admin, make_client, services):
    reader = await make_client(Scope.EVENTS_READ, Scope.REGISTRY_READ)
    rng = random.Random(20261208)
    mirror: dict[str, dict] = {}
    cursor = None
    codes = [t["code"] for t in townships()]
    rng.shuffle(codes)
    created: list[str] = []
    updated = 0

    async def catch_up() -> None:
        nonlocal cursor
        await settled(services)
        while True:
            params = {"limit": 7} | ({"after": cursor} if cursor else {})
            page = (await reader.get("/v1/events", params=params)).json()
            for event in page["items"]:
                if event["subject"]["type"] != "station":
                    continue
                station_id = event["subject"]["id"]
                known = mirror.get(station_id)
                if known and known["version"] >= event["subject"]["version"]:
                    continue  # already as new
                mirror[station_id] = (await reader.get(f"/v1/stations/{station_id}")).json()
            cursor = page["next_cursor"]
            if not page["items"]:
                return

    for step in range(30):
        if not created or rng.random() < 0.35:
            response = await admin.post("/v1/stations", json=station_body(codes.pop()))
            assert response.status_code == 201, response.text
            created.append(response.json()["id"])
        else:
            target = rng.choice(created)
            changes = rng.choice(
                [
                    {"address": f"地址{step}"},
                    {"phone": f"0571-8{step:07d}"},
                    {"service_hours": None},
                ]
            )
            response = await admin.patch(
                f"/v1/stations/{target}", json=changes, headers={"If-Match": "*"}
            )
            assert response.status_code in (200, 422), response.text
            updated += response.status_code == 200
        if rng.random() < 0.3:
            await catch_up()
    await catch_up()

    listed, token = {}, None
    while True:
        page = (
            await reader.get("/v1/stations", params={"page_token": token} if token else {})
        ).json()
        listed |= {s["id"]: s for s in page["items"]}
        token = page["next_page_token"]
        if not token:
            break
    assert updated > 3, "the random sequence changed stations"
    assert mirror == listed
