"""The change feed: every change writes its event in its own transaction; the feed is ordered,
resumable, filterable, and a client sees its binding's events only."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import SQLModel

from service.db.outbox import EXEMPT, SOURCES
from service.domain.access import Scope
from service.http.event_schemas import event_schema_files
from tests.factories.registry import BEISHAN, QINGBO, station_body
from tests.support.feed import settled

ROOT = Path(__file__).resolve().parents[2]


async def feed(client, **params):  # noqa: ANN001, ANN201
    await settled(client._transport.app.state.services)
    response = await client.get("/v1/events", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def everything(client, **params):  # noqa: ANN001, ANN201
    items, after = [], None
    while True:
        page = await feed(client, **({"after": after} if after else {}), limit=2, **params)
        items += page["items"]
        if not page["items"]:
            return items, page["next_cursor"]
        after = page["next_cursor"]


async def test_creating_and_changing_a_station_are_events_in_order(admin, make_client):
    reader = await make_client(Scope.EVENTS_READ)
    _, start = await everything(reader)
    station = (await admin.post("/v1/stations", json=station_body(BEISHAN))).json()
    changed = await admin.patch(
        f"/v1/stations/{station['id']}", json={"address": "新址"}, headers={"If-Match": "*"}
    )
    assert changed.status_code == 200
    items, end = await _after(reader, start)
    assert [(e["type"], e["subject"]["id"], e["subject"]["version"]) for e in items] == [
        ("station.created", station["id"], 1),
        ("station.updated", station["id"], 2),
    ]
    created = items[0]
    assert created["station_id"] == station["id"]
    assert created["division_code"] == station["district_code"]
    assert set(created) == {
        "cursor",
        "id",
        "type",
        "occurred_at",
        "subject",
        "station_id",
        "division_code",
        "organisation_id",
        "data",
    }
    # Resuming from the last cursor gives nothing new; from the first, the second event.
    assert (await feed(reader, after=end))["items"] == []
    assert [e["id"] for e in (await feed(reader, after=created["cursor"]))["items"]] == [
        items[1]["id"]
    ]


async def _after(client, cursor):  # noqa: ANN001, ANN202
    items, after = [], cursor
    while True:
        page = await feed(client, after=after, limit=1)
        if not page["items"]:
            return items, after
        items += page["items"]
        after = page["next_cursor"]


async def test_a_refused_change_writes_no_event(admin, make_client):
    reader = await make_client(Scope.EVENTS_READ)
    _, start = await everything(reader)
    body = station_body(BEISHAN) | {"name": "不是官方名称"}
    assert (await admin.post("/v1/stations", json=body)).status_code == 422
    assert (await feed(reader, after=start))["items"] == []


async def test_filters_by_type_station_and_district(admin, make_client):
    reader = await make_client(Scope.EVENTS_READ)
    a = (await admin.post("/v1/stations", json=station_body(BEISHAN))).json()
    b = (await admin.post("/v1/stations", json=station_body(QINGBO))).json()
    await admin.patch(
        f"/v1/stations/{a['id']}", json={"address": "新址"}, headers={"If-Match": "*"}
    )
    only_a = (await feed(reader, station_id=a["id"]))["items"]
    assert {e["subject"]["id"] for e in only_a} == {a["id"]}
    updates = (await feed(reader, type="station.updated"))["items"]
    assert [e["subject"]["id"] for e in updates] == [a["id"]]
    by_district = (await feed(reader, division_code=b["district_code"]))["items"]
    assert b["id"] in {e["subject"]["id"] for e in by_district}
    assert all(e["division_code"] == b["district_code"] for e in by_district)


async def test_a_station_bound_client_sees_its_station_only(admin, make_client):
    a = (await admin.post("/v1/stations", json=station_body(BEISHAN))).json()
    b = (await admin.post("/v1/stations", json=station_body(QINGBO))).json()
    bound = await make_client(Scope.EVENTS_READ, station_id=a["id"])
    seen = {e["station_id"] for e in (await feed(bound))["items"]}
    assert seen == {a["id"]}
    # Even when it asks for another station's.
    assert (await feed(bound, station_id=b["id"]))["items"] == []


async def test_the_feed_needs_its_scope_and_a_real_cursor(make_client):
    registry = await make_client(Scope.REGISTRY_READ)
    response = await registry.get("/v1/events")
    assert response.status_code == 403 and response.json()["required_scope"] == "events:read"
    reader = await make_client(Scope.EVENTS_READ)
    for bad in ("abc", "1", "-1.2", "1.2.3", "9" * 30 + ".1"):
        response = await reader.get("/v1/events", params={"after": bad})
        assert response.status_code in (400, 422), (bad, response.text)


async def test_event_types_are_the_catalogue(make_client):
    reader = await make_client(Scope.EVENTS_READ)
    types = (await reader.get("/v1/event-types")).json()["items"]
    names = {t["name"] for t in types}
    assert {
        "station.created",
        "linkage.ended",
        "offer.accepted",
        "allocation_run.succeeded",
        "resource_request.status_changed",
        "webhook_subscription.disabled",
    } <= names


def test_every_table_raises_events_or_says_why_not():
    tables = set(SQLModel.metadata.tables) | {"alembic_version"}
    assert tables - set(SOURCES) - set(EXEMPT) == set(), "a table neither a source nor exempt"
    assert set(SOURCES) & set(EXEMPT) == set()
    assert set(SOURCES) | set(EXEMPT) <= tables


def test_the_committed_event_schemas_are_current():
    directory = ROOT / "openapi" / "events"
    expected = event_schema_files()
    committed = {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.json")}
    assert committed == expected, "run `make openapi` (linkage event-schemas)"
    for name, text in expected.items():
        if name != "index.json":
            assert json.loads(text)["properties"]["type"]["const"] == name.removesuffix(".json")


async def test_lifecycle_events_of_requests_offers_and_runs(admin, services, make_client):
    from tests.factories.allocation import start_run, wait_for_run
    from tests.factories.offers import add_offer, add_request, url
    from tests.factories.registry import create_station
    from tests.factories.volunteers import create_volunteer

    reader = await make_client(Scope.EVENTS_READ)
    _, start = await everything(reader)
    station = await create_station(admin)
    volunteer = await create_volunteer(admin)
    request = await add_request(services, station["id"], quantity=2)
    offer = await add_offer(services, request, "volunteer", volunteer["id"])
    assert (await admin.post(url(offer, "accept"))).status_code == 200
    run = await start_run(admin)
    assert (await wait_for_run(admin, run["id"]))["status"] == "succeeded"
    items, _ = await _after(reader, start)
    kinds = [(e["type"], e["subject"]["id"]) for e in items]
    assert ("offer.accepted", str(offer.id)) in kinds
    assert ("resource_request.status_changed", str(request.id)) in kinds
    assert ("allocation_run.succeeded", run["id"]) in kinds
    accepted = next(e for e in items if e["type"] == "offer.accepted")
    assert accepted["station_id"] == station["id"] and accepted["data"] == {"status": "accepted"}
    assert accepted["division_code"] == station["district_code"]
    # No personal data: the volunteer's event names ids only.
    created = next(e for e in items if e["type"] == "volunteer.created")
    assert volunteer["name"] not in json.dumps(created, ensure_ascii=False)


async def test_a_completed_offer_and_its_service_record_belong_to_the_station(
    admin, services, make_client
):
    from tests.api.test_service_records import served
    from tests.factories.registry import create_station
    from tests.factories.volunteers import create_volunteer

    station = await create_station(admin)
    volunteer = await create_volunteer(admin)
    await served(admin, services, station, volunteer, days_ago=1, hours=2.5)
    bound = await make_client(Scope.EVENTS_READ, station_id=station["id"])
    types = [e["type"] for e in (await feed(bound, limit=500))["items"]]
    assert {"offer.completed", "service_record.created"} <= set(types)
    record = next(e for e in (await feed(bound, type="service_record.created"))["items"])
    assert record["data"] == {} and record["division_code"] == station["district_code"]


async def test_an_unknown_event_type_is_refused_not_silently_empty(make_client):
    """A typo (`offer.accept`) would otherwise read an empty feed for ever; a NUL byte would
    reach the database."""
    reader = await make_client(Scope.EVENTS_READ)
    for bad in ("offer.accept", "a\x00b", "station.created\n"):
        response = await reader.get("/v1/events", params={"type": ["station.created", bad]})
        assert response.status_code == 422, (bad, response.text)
        [problem] = response.json()["errors"]
        assert (problem["field"], problem["code"]) == ("query.type", "unknown_event_type")
    known = await reader.get("/v1/events", params={"type": ["station.created", "offer.accepted"]})
    assert known.status_code == 200, known.text
