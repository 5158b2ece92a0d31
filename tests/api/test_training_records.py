"""/v1/training-records: R11's hours, posted a course at a time; corrected, voided, never gone."""

from __future__ import annotations

import pytest

from service.domain.access import Scope
from tests.factories.compliance import course_body, posted
from tests.factories.graph import add_social_worker, agency
from tests.factories.people import create_university
from tests.factories.registry import BEISHAN, QINGBO, create_station


@pytest.fixture
async def beishan(admin) -> dict:
    return await create_station(admin, BEISHAN)


async def workers(services, station, count=3):
    return [await add_social_worker(services, station_id=station["id"]) for _ in range(count)]


async def test_a_course_records_every_attendee_at_once(admin, services, beishan):
    attendees = await workers(services, beishan)
    university = await create_university(admin)
    body = course_body(attendees, provider={"type": "university", "id": university["id"]})
    body["attendees"][0]["certificate_number"] = "JX-2026-0001"

    response = await admin.post("/v1/training-records", json=body)

    assert response.status_code == 201, response.text
    batch = response.json()
    assert response.headers["location"] == f"/v1/training-records?batch_id={batch['batch_id']}"
    assert [r["social_worker_id"] for r in batch["items"]] == [str(a) for a in attendees]
    first = batch["items"][0]
    assert first["certificate_number"] == "JX-2026-0001"
    assert first["provider"] == {"type": "university", "id": university["id"]}
    assert (first["hours"], first["kind"], first["status"]) == (
        24,
        "continuing_education",
        "recorded",
    )
    listed = await admin.get("/v1/training-records", params={"batch_id": batch["batch_id"]})
    assert len(listed.json()["items"]) == 3


async def test_all_or_none(admin, services, beishan):
    attendees = await workers(services, beishan, 2)
    stranger = "00000000-0000-4000-8000-000000000002"

    unknown = await admin.post("/v1/training-records", json=course_body([*attendees, stranger]))
    twice = await admin.post("/v1/training-records", json=course_body([attendees[0], attendees[0]]))
    future = await admin.post(
        "/v1/training-records", json=course_body(attendees, completed_on="2099-01-01")
    )
    no_provider = await admin.post(
        "/v1/training-records",
        json=course_body(attendees, provider={"type": "organisation", "id": stranger}),
    )

    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["body.attendees[2].social_worker_id"]
    assert twice.json()["code"] == "duplicate_attendee"
    assert future.json()["code"] == "date_in_future"
    assert no_provider.json()["code"] == "unknown_provider"
    assert (await admin.get("/v1/training-records")).json()["items"] == []


@pytest.mark.parametrize(
    "change",
    [
        {"hours": 0},
        {"hours": 1001},
        {"hours": "24"},
        {"hours": True},
        {"kind": "yoga"},
        {"attendees": []},
    ],
)
async def test_bad_bodies_are_refused(admin, services, beishan, change):
    response = await admin.post(
        "/v1/training-records", json=course_body(await workers(services, beishan, 1)) | change
    )
    assert response.status_code == 422


async def test_the_same_completion_twice_is_a_conflict_until_voided(admin, services, beishan):
    attendees = await workers(services, beishan, 1)
    body = course_body(attendees)
    first = await posted(admin, "/v1/training-records", body)

    again = await admin.post("/v1/training-records", json=body)
    record = first["items"][0]
    voided = await admin.patch(
        f"/v1/training-records/{record['id']}",
        json={"status": "voided"},
        headers={"If-Match": '"1"'},
    )
    recorded_anew = await admin.post("/v1/training-records", json=body)

    assert again.status_code == 409
    assert again.json()["code"] == "training_record_exists"
    assert voided.status_code == 200
    assert (voided.json()["status"], voided.json()["version"]) == ("voided", 2)
    assert recorded_anew.status_code == 201
    listed = (await admin.get("/v1/training-records")).json()["items"]
    assert sorted(r["status"] for r in listed) == ["recorded", "voided"]


async def test_a_correction_needs_the_current_version(admin, services, beishan):
    record = (
        await posted(
            admin, "/v1/training-records", course_body(await workers(services, beishan, 1))
        )
    )["items"][0]
    path = f"/v1/training-records/{record['id']}"

    corrected = await admin.patch(path, json={"hours": 12.5}, headers={"If-Match": '"1"'})
    stale = await admin.patch(path, json={"hours": 10}, headers={"If-Match": '"1"'})
    future = await admin.patch(path, json={"completed_on": "2099-01-01"}, headers={"If-Match": "*"})

    assert corrected.json()["hours"] == 12.5
    assert corrected.headers["etag"] == '"2"'
    assert stale.status_code == 412
    assert future.status_code == 422
    assert (await admin.get(path)).json()["hours"] == 12.5


async def test_a_station_records_training_for_its_own_workers_only(
    admin, make_client, services, beishan
):
    qingbo = await create_station(admin, QINGBO)
    ours, theirs = await workers(services, beishan, 2), await workers(services, qingbo, 1)
    station = await make_client(Scope.REGISTRY_READ, Scope.REGISTRY_WRITE, station_id=beishan["id"])
    other = await posted(admin, "/v1/training-records", course_body(theirs))

    own = await station.post("/v1/training-records", json=course_body(ours))
    mixed = await station.post("/v1/training-records", json=course_body([*ours, *theirs]))

    assert own.status_code == 201
    assert mixed.status_code == 403
    assert mixed.json()["code"] == "outside_station_binding"
    seen = (await station.get("/v1/training-records")).json()["items"]
    assert {r["social_worker_id"] for r in seen} == {str(w) for w in ours}
    other_record = other["items"][0]["id"]
    assert (await station.get(f"/v1/training-records/{other_record}")).status_code == 404
    patched = await station.patch(
        f"/v1/training-records/{other_record}", json={"hours": 1}, headers={"If-Match": "*"}
    )
    assert patched.status_code == 404


async def test_an_organisation_records_the_training_it_gave(admin, make_client, services, beishan):
    trainer = await agency(admin)
    attendees = await workers(services, beishan, 2)
    client = await make_client(Scope.REGISTRY_READ, Scope.REGISTRY_WRITE, organisation_id=trainer)
    own_course = course_body(attendees, provider={"type": "organisation", "id": trainer})

    given = await client.post("/v1/training-records", json=own_course)
    unattributed = await client.post("/v1/training-records", json=course_body(attendees))
    by_bureau = await posted(admin, "/v1/training-records", course_body(attendees))

    assert given.status_code == 201
    assert unattributed.status_code == 403
    assert unattributed.json()["code"] == "outside_organisation_binding"
    seen = (await client.get("/v1/training-records")).json()["items"]
    assert {r["id"] for r in seen} == {r["id"] for r in given.json()["items"]}
    record = by_bureau["items"][0]["id"]
    assert (await client.get(f"/v1/training-records/{record}")).status_code == 404


async def test_filters(admin, services, beishan):
    [worker] = await workers(services, beishan, 1)
    await posted(admin, "/v1/training-records", course_body([worker], completed_on="2026-01-05"))
    await posted(
        admin,
        "/v1/training-records",
        course_body([worker], completed_on="2026-02-05", kind="policy"),
    )

    by_kind = await admin.get("/v1/training-records", params={"kind": "policy"})
    by_date = await admin.get("/v1/training-records", params={"to": "2026-01-31"})
    by_station = await admin.get("/v1/training-records", params={"station_id": beishan["id"]})

    assert [r["completed_on"] for r in by_kind.json()["items"]] == ["2026-02-05"]
    assert [r["completed_on"] for r in by_date.json()["items"]] == ["2026-01-05"]
    assert len(by_station.json()["items"]) == 2
