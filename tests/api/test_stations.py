"""/v1/stations: registration under R1, R2, R8, R9, R17; reads; conditional updates."""

from __future__ import annotations

import pytest

from service.domain.access import Scope
from tests.factories.registry import (
    BEISHAN,
    NON_TOWNSHIP_UNIT,
    QINGBO,
    create_station,
    station_body,
)


async def count_stations(client) -> int:
    return len((await client.get("/v1/stations", params={"page_size": 200})).json()["items"])


async def test_registering_derives_the_official_name_and_answers_with_location_and_etag(admin):
    response = await admin.post("/v1/stations", json=station_body(BEISHAN))

    assert response.status_code == 201
    station = response.json()
    assert station["name"] == "杭州市西湖区北山街道社会工作站"
    assert station["district_code"] == "330106"
    assert station["version"] == 1
    assert response.headers["location"] == f"/v1/stations/{station['id']}"
    assert response.headers["etag"] == '"1"'
    assert station["location"] == {"lat": 30.259, "lon": 120.145}


async def test_the_official_name_may_be_given_exactly(admin):
    station = await create_station(admin, QINGBO, name="杭州市上城区清波街道社会工作站")
    assert station["name"] == "杭州市上城区清波街道社会工作站"


async def test_a_name_other_than_the_official_one_is_refused_r1(admin):
    response = await admin.post("/v1/stations", json=station_body(name="北山街道社工站"))

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "station_name_not_official"
    assert problem["rule"] == "R1"
    assert problem["errors"][0]["field"] == "name"
    assert await count_stations(admin) == 0


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("330106999", "unknown_division"),  # well-formed, not in Hangzhou's list
        ("110101001", "validation_failed"),  # Beijing: not even shaped like a Hangzhou code
        (NON_TOWNSHIP_UNIT, "township_not_eligible"),  # 400–599: no station (R2)
    ],
)
async def test_only_a_hangzhou_street_town_or_township_gets_a_station(admin, code, expected):
    response = await admin.post("/v1/stations", json=station_body(code))

    assert response.status_code == 422
    assert response.json()["code"] == expected
    assert response.headers["content-type"] == "application/problem+json"
    assert await count_stations(admin) == 0


async def test_a_second_station_for_the_same_township_is_a_conflict_r2(admin):
    first = await create_station(admin)

    response = await admin.post("/v1/stations", json=station_body())

    assert response.status_code == 409
    assert response.json()["code"] == "station_exists"
    assert response.json()["existing_station_id"] == first["id"]
    assert await count_stations(admin) == 1


async def test_administrative_affairs_are_not_service_content_r8(admin):
    items = [
        {"title": "个案辅导", "category": "casework"},
        {"title": "开具居住证明", "category": "township_administrative_affairs"},
    ]
    response = await admin.post("/v1/stations", json=station_body(service_items=items))

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "administrative_affairs_not_service"
    assert problem["rule"] == "R8"
    assert problem["errors"][0]["field"] == "service_items[1].category"
    assert await count_stations(admin) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"operating_mode": "self_run"}, "body.operating_mode"),  # R9: one of two modes
        ({"facilities": ["gym"]}, "body.facilities[0]"),  # R6 vocabulary
        ({"management_systems": ["parking"]}, "body.management_systems[0]"),  # R7
        ({"focus_groups": ["tourists"]}, "body.focus_groups[0]"),  # R12
        ({"specialties": ["astronomy"]}, "body.specialties[0]"),  # R13
        ({"status": "closed"}, "body.status"),
        ({"contact_phone": "12345"}, "body.contact_phone"),
        ({"location": {"lat": 91, "lon": 120}}, "body.location.lat"),
        ({"township_code": "33010600"}, "body.township_code"),
        ({"id": "2b0f5e7c-95a1-4a8e-9a43-1b2a3c4d5e6f"}, "body.id"),
        ({"version": 3}, "body.version"),
        ({"created_at": "2024-01-01T00:00:00Z"}, "body.created_at"),
        ({"address": ""}, "body.address"),
    ],
)
async def test_invalid_fields_are_named_in_a_422_problem(admin, overrides, field):
    response = await admin.post("/v1/stations", json=station_body(**overrides))

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert field in [error["field"] for error in problem["errors"]]
    assert await count_stations(admin) == 0


async def test_a_location_outside_hangzhou_is_refused(admin):
    shanghai = {"lat": 31.23, "lon": 121.47}
    response = await admin.post("/v1/stations", json=station_body(location=shanghai))

    assert response.status_code == 422
    assert response.json()["code"] == "location_outside_hangzhou"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        (
            {"is_demonstration": True, "demonstration_year": 2023, "status": "building"},
            "demonstration_needs_operation",
        ),
        ({"is_demonstration": True}, "demonstration_year_required"),
        ({"demonstration_year": 2023}, "demonstration_year_without_demonstration"),
        ({"is_demonstration": True, "demonstration_year": 2099}, "demonstration_year_out_of_range"),
    ],
)
async def test_demonstration_status_rules_r17(admin, overrides, code):
    response = await admin.post("/v1/stations", json=station_body(**overrides))

    assert response.status_code == 422
    assert response.json()["code"] == code


async def test_sets_are_deduplicated_and_kept_in_vocabulary_order(admin):
    station = await create_station(
        admin, facilities=["archive_room", "casework_room", "archive_room"]
    )
    assert station["facilities"] == ["casework_room", "archive_room"]


async def test_get_returns_the_station_with_its_etag_and_honours_if_none_match(admin):
    station = await create_station(admin)

    response = await admin.get(f"/v1/stations/{station['id']}")
    assert response.status_code == 200
    assert response.json() == station
    assert response.headers["etag"] == '"1"'

    cached = await admin.get(f"/v1/stations/{station['id']}", headers={"If-None-Match": '"1"'})
    assert cached.status_code == 304
    assert cached.content == b""


@pytest.mark.parametrize("station_id", ["6f1c1e1e-0000-4000-8000-000000000000", "not-a-uuid"])
async def test_an_unknown_station_is_404(admin, station_id):
    response = await admin.get(f"/v1/stations/{station_id}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_list_filters(admin):
    await create_station(admin, BEISHAN, specialties=["elderly"], status="operating")
    await create_station(admin, QINGBO, specialties=["school"], status="building", facilities=[])

    async def townships(**params):
        response = await admin.get("/v1/stations", params=params)
        assert response.status_code == 200, response.text
        return [item["township_code"] for item in response.json()["items"]]

    assert await townships() == [QINGBO, BEISHAN]
    assert await townships(district_code="330106") == [BEISHAN]
    assert await townships(township_code=QINGBO) == [QINGBO]
    assert await townships(status="building") == [QINGBO]
    assert await townships(specialty="elderly") == [BEISHAN]
    assert await townships(specialty="medical") == []
    assert await townships(is_demonstration="false") == [QINGBO, BEISHAN]
    assert await townships(is_demonstration="true") == []


async def test_patch_needs_if_match_and_refuses_a_stale_version(admin):
    station = await create_station(admin, status="building", facilities=[])
    url = f"/v1/stations/{station['id']}"

    missing = await admin.patch(url, json={"status": "operating"})
    assert missing.status_code == 428
    assert missing.json()["code"] == "precondition_required"

    updated = await admin.patch(url, json={"status": "operating"}, headers={"If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert updated.json()["status"] == "operating"
    assert updated.json()["version"] == 2
    assert updated.headers["etag"] == '"2"'

    stale = await admin.patch(url, json={"address": "新地址"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert (await admin.get(url)).json()["address"] == station["address"]


async def test_patch_changes_only_what_is_sent_and_null_clears_optional_fields(admin):
    station = await create_station(admin)
    url = f"/v1/stations/{station['id']}"

    response = await admin.patch(
        url, json={"location": None, "specialties": ["medical"]}, headers={"If-Match": "*"}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["location"] is None
    assert body["specialties"] == ["medical"]
    assert body["facilities"] == station["facilities"]
    assert body["address"] == station["address"]


async def test_patch_with_no_change_keeps_the_version(admin):
    station = await create_station(admin)
    response = await admin.patch(
        f"/v1/stations/{station['id']}",
        json={"status": station["status"]},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200
    assert response.json()["version"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"status": None},
        {"facilities": None},
        {"township_code": "330102001"},
        {"name": "杭州市西湖区北山街道社会工作站"},
        {"version": 9},
    ],
)
async def test_patch_refuses_nulls_for_required_fields_and_immutable_fields(admin, body):
    station = await create_station(admin)
    response = await admin.patch(
        f"/v1/stations/{station['id']}", json=body, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 422
    assert (await admin.get(f"/v1/stations/{station['id']}")).json() == station


async def test_an_illegal_status_transition_is_a_conflict_naming_the_current_status(admin):
    station = await create_station(admin, status="operating")
    response = await admin.patch(
        f"/v1/stations/{station['id']}", json={"status": "planned"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_status_transition"
    assert response.json()["current_status"] == "operating"


async def test_patch_rechecks_every_rule_on_the_merged_station(admin):
    station = await create_station(admin, is_demonstration=True, demonstration_year=2023)
    url = f"/v1/stations/{station['id']}"

    demoted = await admin.patch(url, json={"demonstration_year": None}, headers={"If-Match": "*"})
    assert demoted.status_code == 422
    assert demoted.json()["code"] == "demonstration_year_required"

    admin_item = [{"title": "代办社保", "category": "township_administrative_affairs"}]
    r8 = await admin.patch(url, json={"service_items": admin_item}, headers={"If-Match": "*"})
    assert r8.status_code == 422
    assert r8.json()["rule"] == "R8"
    assert (await admin.get(url)).json()["version"] == 1


async def test_a_station_bound_client_changes_only_its_own_station(admin, make_client):
    own = await create_station(admin, BEISHAN)
    other = await create_station(admin, QINGBO)
    bound = await make_client(Scope.REGISTRY_READ, Scope.REGISTRY_WRITE, station_id=own["id"])

    mine = await bound.patch(
        f"/v1/stations/{own['id']}", json={"address": "新址"}, headers={"If-Match": "*"}
    )
    assert mine.status_code == 200

    theirs = await bound.patch(
        f"/v1/stations/{other['id']}", json={"address": "新址"}, headers={"If-Match": "*"}
    )
    assert theirs.status_code == 403  # the registry is readable: a refusal, not a secret
    assert theirs.json()["code"] == "outside_station_binding"
    assert (await admin.get(f"/v1/stations/{other['id']}")).json()["address"] == other["address"]

    readable = await bound.get(f"/v1/stations/{other['id']}")
    assert readable.status_code == 200

    register = await bound.post("/v1/stations", json=station_body("330106004"))
    assert register.status_code == 403
    assert register.json()["code"] == "outside_station_binding"


async def test_reading_needs_registry_read_and_writing_registry_write(make_client):
    reader = await make_client(Scope.REGISTRY_READ)
    writer = await make_client(Scope.REGISTRY_WRITE)

    assert (await reader.get("/v1/stations")).status_code == 200
    denied = await reader.post("/v1/stations", json=station_body())
    assert denied.status_code == 403
    assert denied.json()["required_scope"] == "registry:write"

    assert (await writer.post("/v1/stations", json=station_body())).status_code == 201
    assert (await writer.get("/v1/stations")).status_code == 403
