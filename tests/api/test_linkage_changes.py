"""/v1/linkages: conditional changes, binding, idempotency, filters, pages, scopes."""

from __future__ import annotations

import uuid

import pytest

from service.domain.access import Scope
from tests.factories.graph import (
    add_social_worker,
    add_university,
    add_volunteer_team,
    create_linkage,
    fields,
    linkage_body,
    linkage_count,
)
from tests.factories.registry import BEISHAN, QINGBO, create_station

TONGJUN = "330122003"  # 桐庐县 桐君街道: a county's station, for urban–rural pairs (R16)
XIXI = "330106004"  # 西湖区 西溪街道


async def test_conditional_update_of_what_may_change(admin, services):
    station = await create_station(admin, BEISHAN)
    university = await add_university(services)
    linkage = await create_linkage(admin, station["id"], "university", university, "case_base")
    url = f"/v1/linkages/{linkage['id']}"

    assert (await admin.patch(url, json={"status": "suspended"})).status_code == 428
    changed = await admin.patch(
        url,
        json={"status": "suspended", "ends_on": "2028-06-30", "agreement_reference": None},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    body = changed.json()
    assert (body["status"], body["ends_on"], body["agreement_reference"]) == (
        "suspended",
        "2028-06-30",
        None,
    )
    assert body["version"] == 2

    stale = await admin.patch(url, json={"status": "active"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2

    same = await admin.patch(url, json={"status": "suspended"}, headers={"If-Match": '"2"'})
    assert same.status_code == 200
    assert same.json()["version"] == 2  # nothing changed, no new version

    assert (await admin.get(url)).json() == body


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"kind": "research_base"}, 422, "body.kind"),
        ({"station_id": str(uuid.uuid4())}, 422, "body.station_id"),
        ({"partner_id": str(uuid.uuid4())}, 422, "body.partner_id"),
        ({"partner_type": "organisation"}, 422, "body.partner_type"),
        ({"starts_on": "2025-02-01"}, 422, "body.starts_on"),
        ({"status": None}, 422, "body.status"),
        ({"status": "paused"}, 422, "body.status"),
        ({"ends_on": "2024-12-31"}, 422, "ends_on"),
        ({"ends_on": "2025-02-30"}, 422, "body.ends_on"),
        ({"agreement_reference": "\u0000"}, 422, "body.agreement_reference"),
    ],
)
async def test_what_may_not_change_is_refused(admin, services, change, status, field):
    station = await create_station(admin, BEISHAN)
    university = await add_university(services)
    linkage = await create_linkage(admin, station["id"], "university", university, "case_base")
    url = f"/v1/linkages/{linkage['id']}"

    response = await admin.patch(url, json=change, headers={"If-Match": "*"})

    assert response.status_code == status, response.text
    assert field in fields(response)
    assert (await admin.get(url)).json() == linkage


async def test_ended_is_final(admin, services):
    station = await create_station(admin, BEISHAN)
    linkage = await create_linkage(
        admin, station["id"], "university", await add_university(services), "teaching_base"
    )
    url = f"/v1/linkages/{linkage['id']}"
    assert (
        await admin.patch(url, json={"status": "ended"}, headers={"If-Match": "*"})
    ).status_code == 200

    revived = await admin.patch(url, json={"status": "active"}, headers={"If-Match": "*"})
    assert revived.status_code == 409
    assert revived.json()["code"] == "illegal_status_transition"
    assert revived.json()["current_status"] == "ended"
    noted = await admin.patch(url, json={"agreement_reference": "补录"}, headers={"If-Match": "*"})
    assert noted.status_code == 200


async def test_unknown_linkages_are_404(admin):
    missing = f"/v1/linkages/{uuid.uuid4()}"
    assert (await admin.get(missing)).status_code == 404
    patched = await admin.patch(missing, json={"status": "ended"}, headers={"If-Match": "*"})
    assert patched.status_code == 404
    assert (await admin.get("/v1/linkages/not-a-uuid")).status_code == 404


async def test_a_station_bound_client_links_and_changes_only_its_own_station(
    admin, services, make_client
):
    own = await create_station(admin, BEISHAN)
    other = await create_station(admin, QINGBO)
    third = await create_station(admin, TONGJUN)
    university = await add_university(services)
    theirs = await create_linkage(admin, other["id"], "university", university, "practice_base")
    paired_with_us = await create_linkage(admin, other["id"], "station", own["id"], "pairing")
    elsewhere = await create_linkage(admin, other["id"], "station", third["id"], "pairing")
    bound = await make_client(Scope.REGISTRY_READ, Scope.REGISTRY_WRITE, station_id=own["id"])

    mine = await bound.post(
        "/v1/linkages", json=linkage_body(own["id"], "university", university, "practice_base")
    )
    assert mine.status_code == 201, mine.text

    outside = await bound.post(
        "/v1/linkages", json=linkage_body(other["id"], "university", university, "case_base")
    )
    assert outside.status_code == 403
    assert outside.json()["code"] == "outside_station_binding"

    # Another station's linkage is not even seen (404); a pairing the other station registered
    # with ours is seen, but it is theirs to change (403).
    for linkage, status in ((theirs, 404), (paired_with_us, 403)):
        patch = await bound.patch(
            f"/v1/linkages/{linkage['id']}", json={"status": "ended"}, headers={"If-Match": "*"}
        )
        assert patch.status_code == status
        assert (await admin.get(f"/v1/linkages/{linkage['id']}")).json()["status"] == "active"

    assert (await bound.get(f"/v1/linkages/{theirs['id']}")).status_code == 404
    assert (await bound.get(f"/v1/linkages/{elsewhere['id']}")).status_code == 404
    assert (await bound.get(f"/v1/linkages/{paired_with_us['id']}")).status_code == 200
    visible = (await bound.get("/v1/linkages")).json()["items"]
    assert {item["id"] for item in visible} == {mine.json()["id"], paired_with_us["id"]}
    filtered = await bound.get("/v1/linkages", params={"station_id": other["id"]})
    assert [item["id"] for item in filtered.json()["items"]] == [paired_with_us["id"]]


async def test_creating_is_idempotent(admin, services):
    station = await create_station(admin, BEISHAN)
    body = linkage_body(station["id"], "university", await add_university(services), "case_base")
    headers = {"Idempotency-Key": "link-once"}

    first = await admin.post("/v1/linkages", json=body, headers=headers)
    again = await admin.post("/v1/linkages", json=body, headers=headers)
    other = await admin.post("/v1/linkages", json=body | {"ends_on": "2028-12-31"}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert await linkage_count(services) == 1


async def test_filters(admin, services):
    beishan = await create_station(admin, BEISHAN)
    xixi = await create_station(admin, XIXI)
    university = await add_university(services)
    worker = await add_social_worker(services, supervisor_level="national")
    base = await create_linkage(
        admin, beishan["id"], "university", university, "practice_base", ends_on=None
    )
    supervision = await create_linkage(
        admin,
        beishan["id"],
        "social_worker",
        worker,
        "supervision",
        starts_on="2026-01-01",
        ends_on="2028-12-31",
        status="suspended",
    )
    other = await create_linkage(
        admin,
        xixi["id"],
        "university",
        university,
        "research_base",
        starts_on="2025-02-01",
        ends_on="2025-06-30",
    )

    async def ids(**params):
        response = await admin.get("/v1/linkages", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids() == [base["id"], other["id"], supervision["id"]]  # start-date order
    assert await ids(station_id=beishan["id"]) == [base["id"], supervision["id"]]
    assert await ids(kind="supervision") == [supervision["id"]]
    assert await ids(partner_type="university") == [base["id"], other["id"]]
    assert await ids(partner_id=university) == [base["id"], other["id"]]
    assert await ids(partner_id=university, station_id=xixi["id"]) == [other["id"]]
    assert await ids(status="suspended") == [supervision["id"]]
    assert await ids(active_on="2025-07-01") == [base["id"]]
    assert await ids(active_on="2025-06-30") == [base["id"], other["id"]]
    assert await ids(active_on="2025-01-31") == [base["id"]]
    assert await ids(active_on="2028-12-31") == [base["id"], supervision["id"]]
    assert await ids(active_on="2099-01-01") == [base["id"]]
    assert await ids(active_on="9999-12-30") == [base["id"]]
    assert await ids(active_on="0001-01-02") == []


@pytest.mark.parametrize(
    "params",
    [
        {"active_on": "2025-1-1"},
        {"active_on": "1735689600"},
        {"active_on": "2025-02-30"},
        {"kind": "friendship"},
        {"station_id": "beishan"},
        {"partner": "x"},
        {"page_size": 0},
        {"page_token": "bm90LWEtdG9rZW4"},
    ],
)
async def test_bad_query_parameters_are_400(admin, params):
    response = await admin.get("/v1/linkages", params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"


async def test_pages_follow_start_dates_and_keep_their_filters(admin, services):
    station = await create_station(admin, BEISHAN)
    starts = ["2025-03-01", "2025-01-01", "2025-02-01", "2025-01-01", "2025-05-01"]
    for starts_on in starts:
        team = await add_volunteer_team(services)
        await create_linkage(
            admin,
            station["id"],
            "volunteer_team",
            team,
            "resource_partner",
            starts_on=starts_on,
            ends_on=None,
        )
    params = {"page_size": 2, "station_id": station["id"]}
    seen, token, pages = [], None, 0
    while True:
        response = await admin.get(
            "/v1/linkages", params=params | {"page_token": token} if token else params
        )
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [item["starts_on"] for item in page["items"]]
        pages += 1
        token = page["next_page_token"]
        if token is None:
            break
    assert seen == sorted(starts)
    assert pages == 3

    first = (await admin.get("/v1/linkages", params=params)).json()
    mismatch = await admin.get(
        "/v1/linkages", params={"page_size": 2, "page_token": first["next_page_token"]}
    )
    assert mismatch.status_code == 400
    assert mismatch.json()["code"] == "page_token_filter_mismatch"


async def test_reading_needs_registry_read_and_writing_registry_write(admin, make_client, services):
    station = await create_station(admin, BEISHAN)
    body = linkage_body(station["id"], "university", await add_university(services), "case_base")
    reader = await make_client(Scope.REGISTRY_READ)
    writer = await make_client(Scope.REGISTRY_WRITE)

    denied = await reader.post("/v1/linkages", json=body)
    assert denied.status_code == 403
    assert denied.json()["code"] == "insufficient_scope"
    created = await writer.post("/v1/linkages", json=body)
    assert created.status_code == 201
    assert (await writer.get("/v1/linkages")).status_code == 403
    assert (await reader.get(f"/v1/linkages/{created.json()['id']}")).status_code == 200


async def test_a_page_is_one_query_however_many_linkages_it_holds(admin, services, count_queries):
    beishan = await create_station(admin, BEISHAN)
    tongjun = await create_station(admin, TONGJUN)
    await create_linkage(admin, beishan["id"], "station", tongjun["id"], "pairing")
    await admin.get("/v1/linkages")
    counter = count_queries()
    await admin.get("/v1/linkages")
    one = len(counter.statements)

    for _ in range(10):
        team = await add_volunteer_team(services)
        await create_linkage(admin, beishan["id"], "volunteer_team", team, "resource_partner")
    counter = count_queries()
    response = await admin.get("/v1/linkages")
    assert len(response.json()["items"]) == 11
    assert len(counter.statements) == one <= 2  # the API key and the page
