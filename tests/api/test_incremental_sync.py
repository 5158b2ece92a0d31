"""Incremental sync: every collection takes `updated_since` and `order=updated_at`, through the
one pagination dependency, and pages on the stable keyset (updated_at, id)."""

from __future__ import annotations

from datetime import datetime

import pytest

from service.domain.access import Scope
from tests.api.test_page_tokens import COLLECTIONS, UUID_IN_PATH
from tests.factories.partners import resident_id
from tests.factories.registry import BEISHAN, QINGBO, create_station
from tests.factories.volunteers import create_team, create_volunteer
from tests.factories.world import seed_world

TOP_LEVEL = [path for path in COLLECTIONS if not UUID_IN_PATH.search(path)]


def test_every_collection_declares_the_sync_parameters():
    """Later collections get them by default: they come with the page parameters."""
    from service.main import create_app
    from service.settings import Settings

    document = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    paged = [
        (path, ops["get"])
        for path, ops in document["paths"].items()
        if any(p["name"] == "page_token" for p in ops.get("get", {}).get("parameters", []))
    ]
    assert len(paged) >= 15
    for path, operation in paged:
        names = {p["name"] for p in operation["parameters"]}
        assert {"updated_since", "order"} <= names, path


@pytest.fixture
async def audit_client(make_client):
    return await make_client(Scope.AUDIT, name="auditor")


async def walk(client, path: str, page_size: int = 7, **params) -> list[dict]:
    items: list[dict] = []
    token = None
    for _ in range(500):
        size = 200 if path == "/v1/divisions" else page_size  # divisions: thousands of rows
        query = {"page_size": size, **params} | ({"page_token": token} if token else {})
        response = await client.get(path, params=query)
        assert response.status_code == 200, (path, response.text)
        body = response.json()
        items += body["items"]
        token = body["next_page_token"]
        if not token:
            return items
    raise AssertionError("the walk did not end")


def stamp_of(item: dict) -> str | None:
    for name in ("updated_at", "occurred_at", "recorded_at", "created_at"):
        if name in item:
            return item[name]
    return None


@pytest.mark.parametrize("path", TOP_LEVEL)
async def test_update_order_walks_every_item_once_in_update_order(
    path, services, admin, audit_client
):
    await seed_world(services)
    client = audit_client if path.startswith("/v1/audit-events") else admin
    natural = await walk(client, path)
    by_update = await walk(client, path, order="updated_at")

    key = "code" if path == "/v1/divisions" else "id"
    assert sorted(str(i[key]) for i in by_update) == sorted(str(i[key]) for i in natural)
    assert len({str(i[key]) for i in by_update}) == len(by_update)
    if stamp_of(by_update[0] if by_update else {}) is not None:
        keys = [(datetime.fromisoformat(stamp_of(i)), str(i["id"])) for i in by_update]  # type: ignore[arg-type]
        assert keys == sorted(keys), path


async def test_updated_since_returns_what_changed_oldest_change_first(admin):
    first = await create_station(admin, BEISHAN)
    second = await create_station(admin, QINGBO)
    since = second["updated_at"]
    changed = await admin.patch(
        f"/v1/stations/{first['id']}",
        json={"contact_phone": "0571-88886666"},
        headers={"If-Match": f'"{first["version"]}"'},
    )
    assert changed.status_code == 200, changed.text

    response = await admin.get(
        "/v1/stations", params={"updated_since": since, "order": "updated_at"}
    )
    assert response.status_code == 200, response.text
    assert [s["id"] for s in response.json()["items"]] == [second["id"], first["id"]]

    later = changed.json()["updated_at"]
    only = await admin.get("/v1/stations", params={"updated_since": later})
    assert [s["id"] for s in only.json()["items"]] == [first["id"]]


async def test_updated_since_refuses_a_naive_instant(admin):
    response = await admin.get("/v1/stations", params={"updated_since": "2026-01-01T00:00:00"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"


async def test_a_token_is_bound_to_its_order_and_window(admin):
    await create_station(admin, BEISHAN)
    await create_station(admin, QINGBO)
    page = await admin.get("/v1/stations", params={"page_size": 1, "order": "updated_at"})
    token = page.json()["next_page_token"]
    assert token

    follow = await admin.get(
        "/v1/stations", params={"page_size": 1, "order": "updated_at", "page_token": token}
    )
    assert follow.status_code == 200 and len(follow.json()["items"]) == 1
    assert follow.json()["items"][0]["id"] != page.json()["items"][0]["id"]

    for other in ({}, {"order": "updated_at", "updated_since": "2020-01-01T00:00:00Z"}):
        refused = await admin.get("/v1/stations", params={"page_token": token, **other})
        assert refused.status_code == 400
        assert refused.json()["code"] == "invalid_page_token"


async def test_a_nested_collection_pages_in_update_order_too(admin):
    """A team's members have no update time of their own: ordered by id, every one once."""
    team = await create_team(admin)
    joined = []
    for n in range(5):
        volunteer = await create_volunteer(admin, phone=f"1391234567{n}")
        url = f"/v1/volunteer-teams/{team['id']}/members/{volunteer['id']}"
        assert (await admin.put(url, json={"role": "member"})).status_code == 201
        joined.append(volunteer["id"])
    members = await walk(admin, f"/v1/volunteer-teams/{team['id']}/members", order="updated_at")
    assert [m["volunteer"]["id"] for m in members] == sorted(joined)


async def test_webhook_subscriptions_page_in_update_order(admin):
    made = []
    for n in range(3):
        response = await admin.post(
            "/v1/webhook-subscriptions", json={"url": f"http://127.0.0.1:9/hook{n}"}
        )
        assert response.status_code == 201, response.text
        made.append(response.json())
    listed = await walk(admin, "/v1/webhook-subscriptions", page_size=1, order="updated_at")
    assert [s["id"] for s in listed] == [s["id"] for s in made]


async def test_the_audit_trail_pages_in_update_order_past_its_first_page(make_client):
    """Its ids are integers, not UUIDs: the continuation key must bind as one (a 500 on the
    second page on PostgreSQL once the trail outgrew a page)."""
    searcher = await make_client(Scope.PII_READ, name="searcher")
    for n in range(9):
        searched = await searcher.post(
            "/v1/volunteers/search",
            json={"id_number": resident_id(born=f"198001{n + 1:02d}")},
            headers={"X-Access-Purpose": "incremental sync of the trail"},
        )
        assert searched.status_code == 200, searched.text
    auditor = await make_client(Scope.AUDIT, name="auditor")

    walked = await walk(auditor, "/v1/audit-events", page_size=3, order="updated_at")

    mine = [e for e in walked if e["client_id"] == str(searcher.client_id)]
    assert len(mine) == 9
    assert len({e["id"] for e in walked}) == len(walked)
