"""/v1/social-workers: resident IDs checked and sealed, certificates, where they serve, binding."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from service.db.repositories.social_workers import SocialWorkerRepository
from service.domain.access import Scope
from tests.factories.identifiers import resident_id_check
from tests.factories.partners import create_organisation, mobile, resident_id
from tests.factories.people import create_social_worker, social_worker_body
from tests.factories.registry import BEISHAN, QINGBO, communities_of, create_office, create_station

BEISHAN_COMMUNITY = communities_of(BEISHAN)[0]["code"]
QINGBO_COMMUNITY = communities_of(QINGBO)[0]["code"]


def checked(first17: str) -> str:
    """An ID number whose check digit is right, whatever else is wrong with it."""
    return first17 + resident_id_check(first17)


async def count(client) -> int:
    response = await client.get("/v1/social-workers", params={"page_size": 200})
    return len(response.json()["items"])


async def test_registering_masks_the_id_number_and_the_phone(admin):
    # Hand-computed (tests/domain/test_identity.py): S = 178, 178 mod 11 = 2, check X.
    body = social_worker_body(id_number="33010619900101123X", phone="13812345678")
    response = await admin.post("/v1/social-workers", json=body)

    assert response.status_code == 201, response.text
    worker = response.json()
    assert worker["id_number"] == "330106********" + body["id_number"][14:]
    assert worker["phone"] == "138****5678"
    assert worker["certificate_level"] == "intermediate"
    assert worker["supervisor_level"] == "none"
    assert worker["version"] == 1
    assert response.headers["location"] == f"/v1/social-workers/{worker['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["id_number"] not in response.text


async def test_a_raw_select_shows_no_plain_id_number_or_phone(admin, services):
    id_number = "330102198512310020"  # S = 199, 199 mod 11 = 1, check 0 (test_identity.py)
    await create_social_worker(admin, id_number=id_number, phone="13912345678")
    async with services.database.engine.connect() as connection:
        dump = str((await connection.execute(text("SELECT * FROM social_worker"))).all())
    assert id_number not in dump
    assert "13912345678" not in dump
    assert "330102********" + id_number[14:] in dump
    assert "139****5678" in dump


async def test_a_landline_is_masked_too_and_stored_only_sealed(admin, services):
    worker = await create_social_worker(admin, phone="0571-87654321")

    assert worker["phone"] == "****-****4321"
    assert (await admin.get(f"/v1/social-workers/{worker['id']}")).json()[
        "phone"
    ] == "****-****4321"
    async with services.database.engine.connect() as connection:
        dump = str((await connection.execute(text("SELECT * FROM social_worker"))).all())
    assert "87654321" not in dump


@pytest.mark.parametrize(
    ("id_number", "code", "why"),
    [
        ("330106199001011231", "invalid_id_number", "check digit"),  # should end in X
        (checked("33010619900230123"), "invalid_id_number", "not a real birth date"),
        (checked("33010620991231123"), "invalid_id_number", "impossible"),
        (checked("33010618991231123"), "invalid_id_number", "impossible"),
        ("3301061990010112", "string_pattern_mismatch", None),  # 16 digits
        ("03010619900101123X", "string_pattern_mismatch", None),  # no region starts with 0
        ("33010619900101123Y", "string_pattern_mismatch", None),
    ],
)
async def test_a_bad_id_number_is_refused_naming_the_field(admin, id_number, code, why):
    response = await admin.post("/v1/social-workers", json=social_worker_body(id_number=id_number))

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["field"] in {"id_number", "body.id_number"}
    assert problem["errors"][0]["code"] == code
    if why:
        assert why in problem["detail"]
    assert await count(admin) == 0


async def test_one_social_worker_per_id_number_whatever_the_case_of_x(admin, pii_admin):
    first = await create_social_worker(admin, id_number="33010619900101123X")
    body = social_worker_body(id_number="33010619900101123x", name="另一个人")

    again = await pii_admin.post("/v1/social-workers", json=body)

    assert again.status_code == 409
    assert again.json()["code"] == "social_worker_exists"
    assert again.json()["existing_social_worker_id"] == first["id"]
    # Without pii:read the conflict does not say whose number it is.
    blind = await admin.post("/v1/social-workers", json=body)
    assert blind.status_code == 409
    assert "existing_social_worker_id" not in blind.json()
    assert "33010619900101123" not in again.text
    assert await count(admin) == 1


async def test_the_unique_blind_index_answers_409_when_the_check_is_raced(admin, monkeypatch):
    async def nobody(self, index):  # as if the other request committed after our check
        return None

    id_number = resident_id()
    await create_social_worker(admin, id_number=id_number)
    monkeypatch.setattr(SocialWorkerRepository, "id_for_id_number", nobody)

    again = await admin.post("/v1/social-workers", json=social_worker_body(id_number=id_number))

    assert again.status_code == 409
    assert again.json()["code"] == "social_worker_exists"
    assert await count(admin) == 1


@pytest.mark.parametrize(
    ("level", "number", "code"),
    [
        ("assistant", None, "certificate_number_required"),
        ("senior", None, "certificate_number_required"),
        ("none", "ZJ-000001", "certificate_number_not_allowed"),
    ],
)
async def test_the_certificate_number_follows_the_level(admin, level, number, code):
    body = social_worker_body(certificate_level=level, certificate_number=number)
    response = await admin.post("/v1/social-workers", json=body)

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["errors"][0]["field"] == "body.certificate_number"
    assert await count(admin) == 0


async def test_an_uncertified_part_timer_needs_no_number(admin):
    worker = await create_social_worker(
        admin, certificate_level="none", certificate_number=None, employment="part_time"
    )
    assert worker["certificate_number"] is None
    assert worker["employment"] == "part_time"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"station_id": str(uuid.uuid4())}, "body.station_id"),
        ({"office_id": str(uuid.uuid4())}, "body.office_id"),
        ({"employer_organisation_id": str(uuid.uuid4())}, "body.employer_organisation_id"),
        ({"service_area": ["330106999"]}, "body.service_area[0]"),
        ({"service_area": ["110101"]}, "body.service_area[0]"),
        ({"skills": ["juggling"]}, "body.skills[0]"),
        ({"certificate_level": "master"}, "body.certificate_level"),
        ({"employment": "volunteer"}, "body.employment"),
        ({"supervisor_level": "district"}, "body.supervisor_level"),
        ({"weekly_hours": -1}, "body.weekly_hours"),
        ({"weekly_hours": 169}, "body.weekly_hours"),
        ({"phone": "12345"}, "body.phone"),
        ({"certificate_number": "证书"}, "body.certificate_number"),
        ({"status": "retired"}, "body.status"),
        ({"station_id": "not-a-uuid"}, "body.station_id"),
        ({"id_number_masked": "330106********0012"}, "body.id_number_masked"),
        ({"name": ""}, "body.name"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(admin, overrides, field):
    response = await admin.post("/v1/social-workers", json=social_worker_body(**overrides))

    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await count(admin) == 0


async def test_validation_problems_do_not_echo_the_phone(admin):
    phone = mobile()
    response = await admin.post(
        "/v1/social-workers", json=social_worker_body(phone=phone, weekly_hours="many")
    )
    assert response.status_code == 422
    assert phone not in response.text


async def test_an_office_places_the_worker_at_its_station(admin):
    beishan = await create_station(admin, BEISHAN)
    qingbo = await create_station(admin, QINGBO)
    office = await create_office(admin, BEISHAN_COMMUNITY)

    worker = await create_social_worker(admin, office_id=office["id"])
    assert (worker["station_id"], worker["office_id"]) == (beishan["id"], office["id"])

    named = await create_social_worker(admin, office_id=office["id"], station_id=beishan["id"])
    assert named["station_id"] == beishan["id"]

    mismatch = await admin.post(
        "/v1/social-workers",
        json=social_worker_body(office_id=office["id"], station_id=qingbo["id"]),
    )
    assert mismatch.status_code == 422
    assert mismatch.json()["code"] == "office_of_another_station"
    assert mismatch.json()["errors"][0]["field"] == "body.station_id"
    assert await count(admin) == 2


async def test_idempotent_registration(admin):
    body = social_worker_body()
    headers = {"Idempotency-Key": "sw-1"}
    first = await admin.post("/v1/social-workers", json=body, headers=headers)
    replay = await admin.post("/v1/social-workers", json=body, headers=headers)

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert await count(admin) == 1


async def test_filters(admin, pii_admin):
    beishan = await create_station(admin, BEISHAN)
    office = await create_office(admin, BEISHAN_COMMUNITY)
    agency = await create_organisation(admin)
    await create_social_worker(
        admin,
        name="甲督导",
        certificate_level="senior",
        supervisor_level="provincial",
        office_id=office["id"],
        employer_organisation_id=agency["id"],
        skills=["supervision"],
        service_area=["330106002"],
    )
    await create_social_worker(
        admin,
        name="乙社工",
        certificate_level="none",
        certificate_number=None,
        employment="part_time",
        service_area=["330102"],
        status="inactive",
    )

    async def names(**params):
        response = await pii_admin.get("/v1/social-workers", params=params)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    both = sorted(["甲督导", "乙社工"])
    assert sorted(await names()) == both
    assert await names(station_id=beishan["id"]) == ["甲督导"]
    assert await names(office_id=office["id"]) == ["甲督导"]
    assert await names(employer_organisation_id=agency["id"]) == ["甲督导"]
    assert await names(division_code="330106002051") == ["甲督导"]
    assert await names(division_code="330106") == []  # a district-wide need is wider
    assert await names(division_code="330102001") == ["乙社工"]
    assert await names(division_code="330100") == []  # no such division: nobody covers it
    assert await names(certificate_level="senior") == ["甲督导"]
    assert await names(supervisor_level="provincial") == ["甲督导"]
    assert await names(employment="part_time") == ["乙社工"]
    assert await names(skill="supervision") == ["甲督导"]
    assert await names(status="inactive") == ["乙社工"]
    assert await names(q="督导") == ["甲督导"]
    assert await names(q="%") == []
    bad = await admin.get("/v1/social-workers", params={"certificate_level": "master"})
    assert bad.status_code == 400


async def test_pages_follow_registration_order(admin):
    registered = [  # names never order a list: they are personal data
        (await create_social_worker(admin, name=f"社工{index}"))["id"] for index in (3, 1, 4, 0, 2)
    ]
    ids, token = [], None
    while True:
        params = {"page_size": 2} | ({"page_token": token} if token else {})
        page = (await admin.get("/v1/social-workers", params=params)).json()
        ids += [item["id"] for item in page["items"]]
        if (token := page["next_page_token"]) is None:
            break
    assert ids == registered


async def test_get_with_etag(admin):
    worker = await create_social_worker(admin)
    url = f"/v1/social-workers/{worker['id']}"

    response = await admin.get(url)
    assert response.status_code == 200
    assert response.json() == worker
    assert response.headers["etag"] == '"1"'
    assert (await admin.get(url, headers={"If-None-Match": '"1"'})).status_code == 304
    assert (await admin.get(f"/v1/social-workers/{uuid.uuid4()}")).status_code == 404
    assert (await admin.get("/v1/social-workers/not-an-id")).status_code == 404
    upper_case = await admin.get(f"/v1/social-workers/{worker['id'].upper()}")
    assert upper_case.json()["id"] == worker["id"]


async def test_conditional_update_with_merge_semantics(admin):
    worker = await create_social_worker(admin)
    url = f"/v1/social-workers/{worker['id']}"

    assert (await admin.patch(url, json={"weekly_hours": 20})).status_code == 428
    changed = await admin.patch(
        url, json={"weekly_hours": 20, "phone": None}, headers={"If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["weekly_hours"], body["phone"], body["version"]) == (20, None, 2)
    assert body["skills"] == worker["skills"]
    assert changed.headers["etag"] == '"2"'
    stale = await admin.patch(url, json={"name": "x"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412

    number_left = await admin.patch(
        url, json={"certificate_level": "none"}, headers={"If-Match": "*"}
    )
    assert number_left.status_code == 422
    assert number_left.json()["errors"][0]["field"] == "body.certificate_number"
    uncertified = await admin.patch(
        url,
        json={"certificate_level": "none", "certificate_number": None},
        headers={"If-Match": "*"},
    )
    assert uncertified.status_code == 200
    assert uncertified.json()["certificate_number"] is None

    for refused in ({"id_number": resident_id()}, {"name": None}, {"employment": None}):
        response = await admin.patch(url, json=refused, headers={"If-Match": "*"})
        assert response.status_code == 422, refused
    assert (await admin.get(url)).json()["version"] == 3


async def test_moving_between_offices_and_stations(admin):
    beishan = await create_station(admin, BEISHAN)
    qingbo = await create_station(admin, QINGBO)
    office = await create_office(admin, BEISHAN_COMMUNITY)
    worker = await create_social_worker(admin, station_id=qingbo["id"])
    url = f"/v1/social-workers/{worker['id']}"

    moved = await admin.patch(url, json={"office_id": office["id"]}, headers={"If-Match": "*"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["station_id"], moved.json()["office_id"]) == (beishan["id"], office["id"])

    for inconsistent in ({"station_id": qingbo["id"]}, {"station_id": None}):
        response = await admin.patch(url, json=inconsistent, headers={"If-Match": "*"})
        assert response.status_code == 422, inconsistent
        assert response.json()["errors"][0]["field"] == "body.station_id"

    away = await admin.patch(
        url, json={"station_id": qingbo["id"], "office_id": None}, headers={"If-Match": "*"}
    )
    assert (away.json()["station_id"], away.json()["office_id"]) == (qingbo["id"], None)
    unknown = await admin.patch(
        url, json={"office_id": str(uuid.uuid4())}, headers={"If-Match": "*"}
    )
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_office"
    assert (await admin.get(url)).json()["version"] == 3


async def test_a_station_bound_client_registers_and_changes_only_its_own_workers(
    admin, make_client
):
    own = await create_station(admin, BEISHAN)
    other = await create_station(admin, QINGBO)
    own_office = await create_office(admin, BEISHAN_COMMUNITY)
    theirs = await create_social_worker(admin, station_id=other["id"])
    bound = await make_client(Scope.REGISTRY_READ, Scope.REGISTRY_WRITE, station_id=own["id"])

    mine = await create_social_worker(bound, office_id=own_office["id"])
    assert mine["station_id"] == own["id"]

    for elsewhere in ({"station_id": other["id"]}, {"station_id": None}):
        outside = await bound.post("/v1/social-workers", json=social_worker_body(**elsewhere))
        assert outside.status_code == 403, elsewhere
        assert outside.json()["code"] == "outside_station_binding"

    patch = await bound.patch(
        f"/v1/social-workers/{theirs['id']}", json={"weekly_hours": 1}, headers={"If-Match": "*"}
    )
    assert patch.status_code == 403  # readable in the registry, but another station's
    assert patch.json()["code"] == "outside_station_binding"
    leave = await bound.patch(
        f"/v1/social-workers/{mine['id']}",
        json={"station_id": other["id"], "office_id": None},
        headers={"If-Match": "*"},
    )
    assert leave.status_code == 403
    assert leave.json()["code"] == "outside_station_binding"
    assert (await bound.get(f"/v1/social-workers/{theirs['id']}")).json()["version"] == 1
    assert (await admin.get(f"/v1/social-workers/{mine['id']}")).json()["version"] == 1
    assert await count(admin) == 2
