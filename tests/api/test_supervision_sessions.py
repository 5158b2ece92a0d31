"""/v1/supervision-sessions: R10's record, archived; a correction is a new version."""

from __future__ import annotations

import pytest

from service.domain.access import Scope
from tests.factories.compliance import posted, session_body
from tests.factories.graph import add_social_worker, create_linkage
from tests.factories.people import create_university
from tests.factories.registry import BEISHAN, QINGBO, create_station


@pytest.fixture
async def beishan(admin) -> dict:
    return await create_station(admin, BEISHAN)


async def staff(services, station, count=2):
    return [await add_social_worker(services, station_id=station["id"]) for _ in range(count)]


async def supervisor(services, station=None):
    return await add_social_worker(
        services,
        name="周督导",
        station_id=station["id"] if station else None,
        supervisor_level="municipal",
    )


async def test_a_recognised_supervisor_s_session_is_recorded_as_version_1(admin, services, beishan):
    chief = await supervisor(services)
    attendees = await staff(services, beishan)

    response = await admin.post(
        "/v1/supervision-sessions",
        json=session_body(beishan["id"], ("social_worker", chief), attendees),
    )

    assert response.status_code == 201, response.text
    session = response.json()
    assert response.headers["location"] == f"/v1/supervision-sessions/{session['id']}"
    assert response.headers["etag"] == '"1"'
    assert session["supervisor"] == {"type": "social_worker", "id": str(chief), "name": "周*导"}
    assert session["attendees"] == [str(a) for a in attendees]
    assert (session["status"], session["version"], session["linkage_id"]) == ("recorded", 1, None)
    versions = (await admin.get(f"/v1/supervision-sessions/{session['id']}/versions")).json()
    assert [v["version"] for v in versions["items"]] == [1]
    assert versions["items"][0]["summary"] == session["summary"]


async def test_an_agency_supervises_under_an_active_supervision_linkage(admin, services, beishan):
    university = await create_university(admin)
    attendees = await staff(services, beishan)
    body = session_body(beishan["id"], ("university", university["id"]), attendees)

    refused = await admin.post("/v1/supervision-sessions", json=body)
    linkage = await create_linkage(
        admin, beishan["id"], "university", university["id"], "supervision"
    )
    recorded = await admin.post("/v1/supervision-sessions", json=body)
    outside = await admin.post("/v1/supervision-sessions", json={**body, "held_on": "2024-12-31"})

    assert refused.status_code == 422
    assert (refused.json()["code"], refused.json()["rule"]) == ("no_supervision_linkage", "R10")
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["linkage_id"] == linkage["id"]
    assert recorded.json()["supervisor"]["name"] == university["name"]
    assert outside.status_code == 422  # the linkage starts on 2025-01-01


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"held_on": "2099-01-01"}, "date_in_future", "body.held_on"),
        ({"form": "individual"}, "individual_needs_one_attendee", "body.attendees"),
        ({"duration_minutes": 0}, "validation_failed", "body.duration_minutes"),
        ({"topics": []}, "validation_failed", "body.topics"),
        ({"summary": "\u0000"}, "validation_failed", "body.summary"),
    ],
)
async def test_a_session_must_make_sense(admin, services, beishan, change, code, field):
    chief = await supervisor(services)
    attendees = await staff(services, beishan)
    body = session_body(beishan["id"], ("social_worker", chief), attendees) | change

    response = await admin.post("/v1/supervision-sessions", json=body)

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == code
    assert field in [error["field"] for error in problem["errors"]]
    assert (await admin.get("/v1/supervision-sessions")).json()["items"] == []


async def test_a_worker_without_a_supervisor_level_does_not_supervise(admin, services, beishan):
    worker, *attendees = await staff(services, beishan, 3)
    body = session_body(beishan["id"], ("social_worker", worker), attendees)

    response = await admin.post("/v1/supervision-sessions", json=body)

    assert response.status_code == 422
    assert response.json()["code"] == "not_a_supervisor"


async def test_unknown_attendees_are_named(admin, services, beishan):
    chief = await supervisor(services)
    [known] = await staff(services, beishan, 1)
    stranger = "00000000-0000-4000-8000-000000000001"
    body = session_body(beishan["id"], ("social_worker", chief), [known, stranger])

    response = await admin.post("/v1/supervision-sessions", json=body)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.attendees[1]"]


async def test_a_correction_is_a_new_version_and_the_old_one_stays_readable(
    admin, services, beishan
):
    chief = await supervisor(services)
    attendees = await staff(services, beishan)
    session = await posted(
        admin,
        "/v1/supervision-sessions",
        session_body(beishan["id"], ("social_worker", chief), attendees),
    )
    path = f"/v1/supervision-sessions/{session['id']}"

    corrected = await admin.patch(
        path,
        json={"duration_minutes": 90, "correction_note": "时长记录有误"},
        headers={"If-Match": '"1"'},
    )
    stale = await admin.patch(
        path, json={"summary": "再改", "correction_note": "再次更正"}, headers={"If-Match": '"1"'}
    )
    unconditional = await admin.patch(path, json={"summary": "再改", "correction_note": "再次更正"})
    without_reason = await admin.patch(path, json={"summary": "再改"}, headers={"If-Match": '"2"'})

    assert corrected.status_code == 200, corrected.text
    assert corrected.headers["etag"] == '"2"'
    assert (corrected.json()["duration_minutes"], corrected.json()["version"]) == (90, 2)
    assert corrected.json()["correction_note"] == "时长记录有误"
    assert stale.status_code == 412
    assert unconditional.status_code == 428
    assert without_reason.status_code == 422
    first = (await admin.get(f"{path}/versions/1")).json()
    assert (first["duration_minutes"], first["version"], first["correction_note"]) == (120, 1, None)
    second = (await admin.get(f"{path}/versions/2")).json()
    assert second["duration_minutes"] == 90
    listed = (await admin.get(f"{path}/versions", params={"page_size": 1})).json()
    assert [v["version"] for v in listed["items"]] == [1]
    following = await admin.get(
        f"{path}/versions", params={"page_size": 1, "page_token": listed["next_page_token"]}
    )
    assert [v["version"] for v in following.json()["items"]] == [2]
    assert (await admin.get(f"{path}/versions/3")).status_code == 404


async def test_withdrawing_keeps_the_session_in_the_archive(admin, services, beishan):
    chief = await supervisor(services)
    attendees = await staff(services, beishan)
    session = await posted(
        admin,
        "/v1/supervision-sessions",
        session_body(beishan["id"], ("social_worker", chief), attendees),
    )
    path = f"/v1/supervision-sessions/{session['id']}"

    withdrawn = await admin.patch(
        path,
        json={"status": "withdrawn", "correction_note": "误录"},
        headers={"If-Match": '"1"'},
    )
    deleted = await admin.delete(path)

    assert withdrawn.json()["status"] == "withdrawn"
    assert deleted.status_code == 405
    assert (await admin.get(path)).json()["status"] == "withdrawn"
    listed = await admin.get("/v1/supervision-sessions", params={"status": "withdrawn"})
    assert [s["id"] for s in listed.json()["items"]] == [session["id"]]


async def test_a_station_records_and_sees_only_its_own_sessions(
    admin, make_client, services, beishan
):
    qingbo = await create_station(admin, QINGBO)
    chief = await supervisor(services)
    ours, theirs = await staff(services, beishan), await staff(services, qingbo)
    other = await posted(
        admin,
        "/v1/supervision-sessions",
        session_body(qingbo["id"], ("social_worker", chief), theirs),
    )
    station = await make_client(Scope.REGISTRY_READ, Scope.REGISTRY_WRITE, station_id=beishan["id"])

    own = await station.post(
        "/v1/supervision-sessions",
        json=session_body(beishan["id"], ("social_worker", chief), ours),
    )
    foreign = await station.post(
        "/v1/supervision-sessions",
        json=session_body(qingbo["id"], ("social_worker", chief), theirs),
    )

    assert own.status_code == 201
    assert foreign.status_code == 403
    assert foreign.json()["code"] == "outside_station_binding"
    assert (await station.get(f"/v1/supervision-sessions/{other['id']}")).status_code == 404
    listed = (await station.get("/v1/supervision-sessions")).json()["items"]
    assert [s["id"] for s in listed] == [own.json()["id"]]
    assert len((await admin.get("/v1/supervision-sessions")).json()["items"]) == 2


async def test_a_supervisor_s_name_is_personal_data(admin, pii_admin, services, beishan):
    chief = await supervisor(services)
    attendees = await staff(services, beishan)
    session = await posted(
        admin,
        "/v1/supervision-sessions",
        session_body(beishan["id"], ("social_worker", chief), attendees),
    )

    shown = (await pii_admin.get(f"/v1/supervision-sessions/{session['id']}")).json()

    assert session["supervisor"]["name"] == "周*导"
    assert shown["supervisor"]["name"] == "周督导"


async def test_filters_and_pages(admin, services, beishan):
    chief = await supervisor(services)
    attendees = await staff(services, beishan)
    for held_on in ("2026-01-10", "2026-02-10", "2026-03-10"):
        await posted(
            admin,
            "/v1/supervision-sessions",
            session_body(beishan["id"], ("social_worker", chief), attendees, held_on=held_on),
        )

    first = await admin.get(
        "/v1/supervision-sessions",
        params={"from": "2026-02-01", "to": "2026-03-31", "page_size": 1},
    )
    token = first.json()["next_page_token"]
    second = await admin.get(
        "/v1/supervision-sessions",
        params={"from": "2026-02-01", "to": "2026-03-31", "page_size": 1, "page_token": token},
    )
    mismatched = await admin.get(
        "/v1/supervision-sessions", params={"page_size": 1, "page_token": token}
    )
    reversed_range = await admin.get(
        "/v1/supervision-sessions", params={"from": "2026-03-01", "to": "2026-02-01"}
    )

    assert [s["held_on"] for s in first.json()["items"]] == ["2026-02-10"]
    assert [s["held_on"] for s in second.json()["items"]] == ["2026-03-10"]
    assert second.json()["next_page_token"] is None
    assert mismatched.status_code == 400
    assert reversed_range.status_code == 400


async def test_a_replayed_key_records_once(admin, services, beishan):
    chief = await supervisor(services)
    body = session_body(beishan["id"], ("social_worker", chief), await staff(services, beishan))
    headers = {"Idempotency-Key": "session-2026-03-15"}

    first = await admin.post("/v1/supervision-sessions", json=body, headers=headers)
    again = await admin.post("/v1/supervision-sessions", json=body, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert len((await admin.get("/v1/supervision-sessions")).json()["items"]) == 1
