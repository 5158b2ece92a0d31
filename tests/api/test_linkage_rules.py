"""/v1/linkages: who may be linked how (R9, R10, R15, R16, R19), duplicates, reactivation."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update

from service.db.repositories.linkages import LinkageRepository
from service.db.tables import LinkageRecord, SocialWorkerRecord
from tests.factories.graph import (
    add_charity_resource,
    add_social_worker,
    add_university,
    add_volunteer_team,
    agency,
    create_linkage,
    fields,
    linkage_body,
    linkage_count,
)
from tests.factories.registry import BEISHAN, QINGBO, create_station

TONGJUN = "330122003"  # 桐庐县 桐君街道: a county's station, for urban–rural pairs (R16)
XIXI = "330106004"  # 西湖区 西溪街道


async def test_an_operating_contract_links_an_agency_to_a_purchased_service_station(admin):
    station = await create_station(admin, BEISHAN)
    organisation = await agency(admin)

    response = await admin.post(
        "/v1/linkages",
        json=linkage_body(station["id"], "organisation", organisation, "operating_contract"),
    )

    assert response.status_code == 201, response.text
    linkage = response.json()
    assert response.headers["location"] == f"/v1/linkages/{linkage['id']}"
    assert response.headers["etag"] == '"1"'
    assert linkage | {"id": None, "created_at": None, "updated_at": None} == {
        "id": None,
        "station_id": station["id"],
        "kind": "operating_contract",
        "partner_type": "organisation",
        "partner_id": organisation,
        "starts_on": "2025-01-01",
        "ends_on": "2027-12-31",
        "status": "active",
        "agreement_reference": "西湖民购〔2025〕12号",
        "urban_rural": False,
        "warnings": [],
        "version": 1,
        "created_at": None,
        "updated_at": None,
    }
    fetched = await admin.get(f"/v1/linkages/{linkage['id']}")
    assert fetched.json() == linkage
    assert fetched.headers["etag"] == '"1"'
    cached = await admin.get(f"/v1/linkages/{linkage['id']}", headers={"If-None-Match": '"1"'})
    assert cached.status_code == 304


@pytest.mark.parametrize(
    ("agency_flag", "mode", "field", "code"),
    [
        (False, "purchased_service", "body.partner_id", "not_a_social_work_agency"),
        (True, "township_posts", "body.station_id", "station_not_purchased_service"),
    ],
)
async def test_r9_an_operating_contract_needs_an_agency_and_a_purchased_service_station(
    admin, services, agency_flag, mode, field, code
):
    station = await create_station(admin, BEISHAN, operating_mode=mode)
    organisation = await agency(
        admin, is_social_work_agency=agency_flag, kind="social_organisation"
    )

    response = await admin.post(
        "/v1/linkages",
        json=linkage_body(station["id"], "organisation", organisation, "operating_contract"),
    )

    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert response.json()["rule"] == "R9"
    assert fields(response) == [field]
    assert await linkage_count(services) == 0


async def test_r9_one_active_operating_contract_per_station(admin, services, monkeypatch):
    station = await create_station(admin, BEISHAN)
    first = await create_linkage(
        admin, station["id"], "organisation", await agency(admin), "operating_contract"
    )
    second_agency = await agency(admin)
    body = linkage_body(station["id"], "organisation", second_agency, "operating_contract")

    refused = await admin.post("/v1/linkages", json=body)
    assert refused.status_code == 409
    assert refused.json()["code"] == "operating_contract_exists"
    assert refused.json()["existing_linkage_id"] == first["id"]

    url = f"/v1/linkages/{first['id']}"
    suspended = await admin.patch(url, json={"status": "suspended"}, headers={"If-Match": '"1"'})
    assert suspended.status_code == 200, suspended.text
    second = await admin.post("/v1/linkages", json=body)
    assert second.status_code == 201, second.text

    reactivated = await admin.patch(url, json={"status": "active"}, headers={"If-Match": '"2"'})
    assert reactivated.status_code == 409
    assert reactivated.json()["code"] == "operating_contract_exists"

    # The partial unique index holds even when the use case's own check is not there to ask.
    async def nothing_found(self, station_id):
        return None

    monkeypatch.setattr(LinkageRepository, "active_operating_contract", nothing_found)
    raced = await admin.patch(url, json={"status": "active"}, headers={"If-Match": '"2"'})
    assert raced.status_code == 409
    assert raced.json()["code"] == "operating_contract_exists"
    assert (await admin.get(url)).json()["status"] == "suspended"


async def test_an_ended_operating_contract_leaves_room_for_the_next(admin):
    station = await create_station(admin, BEISHAN)
    first = await create_linkage(
        admin, station["id"], "organisation", await agency(admin), "operating_contract"
    )
    ended = await admin.patch(
        f"/v1/linkages/{first['id']}", json={"status": "ended"}, headers={"If-Match": "*"}
    )
    assert ended.status_code == 200
    await create_linkage(
        admin,
        station["id"],
        "organisation",
        await agency(admin),
        "operating_contract",
        starts_on="2028-01-01",
        ends_on=None,
    )


@pytest.mark.parametrize(
    ("partner", "allowed"),
    [
        ("supervisor", True),
        ("plain_worker", False),
        ("supervising_university", True),
        ("university", False),
        ("agency", True),
        ("charity", False),
    ],
)
async def test_r10_supervision_needs_a_supervisor(admin, services, partner, allowed):
    station = await create_station(admin, BEISHAN)
    partner_type, partner_id = {
        "supervisor": lambda: (
            "social_worker",
            add_social_worker(services, supervisor_level="municipal"),
        ),
        "plain_worker": lambda: ("social_worker", add_social_worker(services)),
        "supervising_university": lambda: ("university", add_university(services)),
        "university": lambda: ("university", add_university(services, offers=("research",))),
        "agency": lambda: ("organisation", agency(admin)),
        "charity": lambda: (
            "organisation",
            agency(admin, kind="charity", is_charity=True, is_social_work_agency=False),
        ),
    }[partner]()
    body = linkage_body(station["id"], partner_type, await partner_id, "supervision")

    response = await admin.post("/v1/linkages", json=body)

    if allowed:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "not_a_supervisor"
        assert response.json()["rule"] == "R10"
        assert fields(response) == ["body.partner_id"]
        assert await linkage_count(services) == 0


async def test_r10_a_short_supervision_term_is_advised_against_not_refused(admin, services):
    station = await create_station(admin, BEISHAN)
    supervisor = await add_social_worker(services, supervisor_level="provincial")
    short = await create_linkage(
        admin, station["id"], "social_worker", supervisor, "supervision", ends_on="2026-06-30"
    )
    advice = [{"code": "supervision_term_short", "message": short["warnings"][0]["message"]}]
    assert [w | {"rule": None} for w in short["warnings"]] == [a | {"rule": None} for a in advice]
    assert short["warnings"][0]["rule"] == "R10"

    assert (await admin.get(f"/v1/linkages/{short['id']}")).json()["warnings"] == short["warnings"]
    listed = (await admin.get("/v1/linkages", params={"kind": "supervision"})).json()["items"]
    assert listed[0]["warnings"] == short["warnings"]

    lengthened = await admin.patch(
        f"/v1/linkages/{short['id']}", json={"ends_on": "2027-12-31"}, headers={"If-Match": '"1"'}
    )
    assert lengthened.json()["warnings"] == []
    async with services.database.engine.connect() as connection:
        columns = (await connection.execute(select(LinkageRecord))).keys()
    assert "warnings" not in columns  # computed, never stored


@pytest.mark.parametrize("kind", ["practice_base", "research_base", "teaching_base", "case_base"])
async def test_r15_bases_are_university_ties(admin, services, kind):
    station = await create_station(admin, BEISHAN)
    university = await add_university(services, offers=("research",))
    await create_linkage(admin, station["id"], "university", university, kind)

    refused = await admin.post(
        "/v1/linkages", json=linkage_body(station["id"], "organisation", await agency(admin), kind)
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "partner_type_not_allowed"
    assert fields(refused) == ["body.partner_type"]


async def test_r19_resource_partners_are_organisations_resources_teams_and_universities(
    admin, services
):
    station = await create_station(admin, BEISHAN)
    charity = await agency(admin, kind="charity", is_charity=True, is_social_work_agency=False)
    partners = [
        ("organisation", charity),
        ("charity_resource", await add_charity_resource(services, organisation_id=charity)),
        ("volunteer_team", await add_volunteer_team(services)),
        ("university", await add_university(services)),
    ]
    for partner_type, partner_id in partners:
        await create_linkage(admin, station["id"], partner_type, partner_id, "resource_partner")

    worker = await add_social_worker(services)
    refused = await admin.post(
        "/v1/linkages",
        json=linkage_body(station["id"], "social_worker", worker, "resource_partner"),
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "partner_type_not_allowed"


async def test_r16_pairings_join_two_stations_and_recognise_urban_rural_pairs(admin):
    beishan = await create_station(admin, BEISHAN)
    qingbo = await create_station(admin, QINGBO)
    tongjun = await create_station(admin, TONGJUN)

    rural = await create_linkage(admin, beishan["id"], "station", tongjun["id"], "pairing")
    urban = await create_linkage(admin, beishan["id"], "station", qingbo["id"], "pairing")

    assert rural["urban_rural"] is True
    assert urban["urban_rural"] is False
    assert (await admin.get(f"/v1/linkages/{rural['id']}")).json()["urban_rural"] is True

    itself = await admin.post(
        "/v1/linkages", json=linkage_body(beishan["id"], "station", beishan["id"], "pairing")
    )
    assert itself.status_code == 422
    assert itself.json()["code"] == "pairing_with_itself"
    assert fields(itself) == ["body.partner_id"]

    with_a_university = await admin.post(
        "/v1/linkages", json=linkage_body(beishan["id"], "university", uuid.uuid4(), "pairing")
    )
    assert with_a_university.status_code == 422
    assert fields(with_a_university) == ["body.partner_type"]


async def test_a_pairing_is_seen_from_both_stations_and_duplicated_from_either(admin):
    beishan = await create_station(admin, BEISHAN)
    tongjun = await create_station(admin, TONGJUN)
    pairing = await create_linkage(admin, beishan["id"], "station", tongjun["id"], "pairing")

    async def ids(**params):
        response = await admin.get("/v1/linkages", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(station_id=tongjun["id"]) == [pairing["id"]]
    assert await ids(station_id=tongjun["id"], partner_id=beishan["id"]) == [pairing["id"]]
    assert await ids(station_id=tongjun["id"], partner_type="station") == [pairing["id"]]
    assert await ids(station_id=tongjun["id"], partner_type="university") == []
    assert await ids(partner_id=tongjun["id"]) == [pairing["id"]]
    assert await ids(partner_id=beishan["id"]) == []

    reverse = await admin.post(
        "/v1/linkages",
        json=linkage_body(
            tongjun["id"], "station", beishan["id"], "pairing", starts_on="2026-01-01"
        ),
    )
    assert reverse.status_code == 409
    assert reverse.json()["code"] == "linkage_overlaps"
    assert reverse.json()["existing_linkage_id"] == pairing["id"]


async def test_overlapping_duplicates_are_409_and_history_is_not_a_duplicate(admin, services):
    station = await create_station(admin, BEISHAN)
    university = await add_university(services)
    first = await create_linkage(admin, station["id"], "university", university, "practice_base")

    overlapping = await admin.post(
        "/v1/linkages",
        json=linkage_body(
            station["id"], "university", university, "practice_base", starts_on="2027-12-31"
        ),
    )
    assert overlapping.status_code == 409
    assert overlapping.json()["code"] == "linkage_overlaps"
    assert overlapping.json()["existing_linkage_id"] == first["id"]

    other_kind = await create_linkage(
        admin, station["id"], "university", university, "research_base"
    )
    later = await create_linkage(
        admin,
        station["id"],
        "university",
        university,
        "practice_base",
        starts_on="2028-01-01",
        ends_on=None,
    )

    lengthened = await admin.patch(
        f"/v1/linkages/{first['id']}", json={"ends_on": None}, headers={"If-Match": "*"}
    )
    assert lengthened.status_code == 409
    assert lengthened.json()["code"] == "linkage_overlaps"
    assert lengthened.json()["existing_linkage_id"] == later["id"]

    ended = await admin.patch(
        f"/v1/linkages/{first['id']}", json={"status": "ended"}, headers={"If-Match": "*"}
    )
    assert ended.status_code == 200
    assert await linkage_count(services) == 3
    assert other_kind["kind"] == "research_base"
    await create_linkage(admin, station["id"], "university", university, "practice_base")


async def test_unknown_ends_are_422_naming_the_field(admin, services):
    station = await create_station(admin, BEISHAN)
    cases = [
        ("organisation", "operating_contract"),
        ("university", "practice_base"),
        ("social_worker", "supervision"),
        ("volunteer_team", "resource_partner"),
        ("charity_resource", "resource_partner"),
        ("station", "pairing"),
    ]
    for partner_type, kind in cases:
        response = await admin.post(
            "/v1/linkages", json=linkage_body(station["id"], partner_type, uuid.uuid4(), kind)
        )
        assert response.status_code == 422, (partner_type, response.text)
        assert response.json()["code"] == "unknown_partner"
        assert fields(response) == ["body.partner_id"]

    nowhere = await admin.post(
        "/v1/linkages", json=linkage_body(uuid.uuid4(), "station", uuid.uuid4(), "pairing")
    )
    assert nowhere.status_code == 422
    assert fields(nowhere) == ["body.station_id", "body.partner_id"]
    assert await linkage_count(services) == 0


async def test_a_withdrawn_partner_gets_no_live_linkage(admin, services):
    station = await create_station(admin, BEISHAN)
    team = await add_volunteer_team(services, status="withdrawn")

    live = await admin.post(
        "/v1/linkages", json=linkage_body(station["id"], "volunteer_team", team, "resource_partner")
    )
    assert live.status_code == 422
    assert live.json()["code"] == "partner_withdrawn"
    assert fields(live) == ["body.partner_id"]

    await create_linkage(
        admin, station["id"], "volunteer_team", team, "resource_partner", status="ended"
    )


async def test_reactivation_holds_the_linkage_to_the_rules_again(admin, services):
    station = await create_station(admin, BEISHAN)
    worker = await add_social_worker(services, supervisor_level="municipal")
    linkage = await create_linkage(
        admin, station["id"], "social_worker", worker, "supervision", status="suspended"
    )
    async with services.database.session() as session:
        await session.execute(
            update(SocialWorkerRecord)
            .where(SocialWorkerRecord.id == worker)
            .values(supervisor_level="none")
        )
        await session.commit()

    url = f"/v1/linkages/{linkage['id']}"
    reactivated = await admin.patch(url, json={"status": "active"}, headers={"If-Match": '"1"'})
    assert reactivated.status_code == 422
    assert reactivated.json()["code"] == "not_a_supervisor"
    ended = await admin.patch(url, json={"status": "ended"}, headers={"If-Match": '"1"'})
    assert ended.status_code == 200  # ending needs no qualification


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "friendship"}, "body.kind"),
        ({"partner_type": "person"}, "body.partner_type"),
        ({"partner_id": "not-a-uuid"}, "body.partner_id"),
        ({"station_id": 42}, "body.station_id"),
        ({"status": "paused"}, "body.status"),
        ({"starts_on": "2025-13-01"}, "body.starts_on"),
        ({"starts_on": "2025-1-1"}, "body.starts_on"),
        ({"starts_on": 1735689600}, "body.starts_on"),  # Unix time is not a date here
        ({"starts_on": "2025-01-01T00:00:00"}, "body.starts_on"),
        ({"starts_on": "0001-01-01"}, "body.starts_on"),
        ({"starts_on": "1999-12-31"}, "body.starts_on"),
        ({"ends_on": "9999-12-31"}, "body.ends_on"),
        ({"ends_on": "2100-01-01"}, "body.ends_on"),
        ({"ends_on": "2024-12-31"}, "body.ends_on"),  # before it starts
        ({"starts_on": None}, "body.starts_on"),
        ({"agreement_reference": "a\u0000b"}, "body.agreement_reference"),
        ({"agreement_reference": "x" * 129}, "body.agreement_reference"),
        ({"agreement_reference": "合同" * 50_000}, "body.agreement_reference"),
        ({"agreement_reference": "   "}, "body.agreement_reference"),
        ({"version": 3}, "body.version"),
        ({"urban_rural": True}, "body.urban_rural"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(admin, services, overrides, field):
    station = await create_station(admin, BEISHAN)
    university = await add_university(services)
    body = linkage_body(station["id"], "university", university, "practice_base") | overrides

    response = await admin.post("/v1/linkages", json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in fields(response)
    assert await linkage_count(services) == 0


async def test_a_body_that_is_not_json_is_refused(admin):
    response = await admin.post(
        "/v1/linkages", content=b"kind=pairing", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    broken = await admin.post(
        "/v1/linkages", content=b'{"kind":', headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["code"] == "malformed_json"
