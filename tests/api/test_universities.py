"""/v1/universities: USCC-identified university partners, what they offer (R15), where."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from service.db.repositories.universities import UniversityRepository
from tests.factories.partners import uscc
from tests.factories.people import create_university, university_body

VALID = uscc("12")
WRONG_CHECK = VALID[:17] + ("0" if VALID[17] != "0" else "1")


async def count(client) -> int:
    return len((await client.get("/v1/universities", params={"page_size": 200})).json()["items"])


async def test_registering_reads_the_registration_category_and_masks_the_phone(admin):
    body = university_body(uscc=uscc("12"), contact_phone="13812345678")
    response = await admin.post("/v1/universities", json=body)

    assert response.status_code == 201, response.text
    university = response.json()
    assert university["registration_category"]["name"] == "public_institution"
    assert university["contact_phone"] == "138****5678"
    assert university["contact_email"] == "shegong@example.edu.cn"
    assert university["offers"] == ["practice_base", "internship", "supervision"]
    assert university["schools"] == ["公共管理学院", "社会工作系"]
    assert university["location"] == {"lat": 30.29, "lon": 120.16}
    assert response.headers["location"] == f"/v1/universities/{university['id']}"
    assert response.headers["etag"] == '"1"'


async def test_the_contact_phone_is_stored_encrypted(admin, services):
    await create_university(admin, contact_phone="13812345678")
    async with services.database.engine.connect() as connection:
        dump = str((await connection.execute(text("SELECT * FROM university"))).all())
    assert "13812345678" not in dump
    assert "138****5678" in dump


async def test_one_university_per_uscc(admin):
    code = uscc("12")
    first = await create_university(admin, uscc=code)

    response = await admin.post("/v1/universities", json=university_body(uscc=code, name="别名"))

    assert response.status_code == 409
    assert response.json()["code"] == "university_exists"
    assert response.json()["existing_university_id"] == first["id"]
    assert await count(admin) == 1


async def test_the_unique_uscc_answers_409_when_the_check_is_raced(admin, monkeypatch):
    async def nobody(self, uscc):  # as if the other request committed after our check
        return None

    code = uscc("12")
    await create_university(admin, uscc=code)
    monkeypatch.setattr(UniversityRepository, "id_for_uscc", nobody)

    again = await admin.post("/v1/universities", json=university_body(uscc=code))

    assert again.status_code == 409
    assert again.json()["code"] == "university_exists"
    assert await count(admin) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"uscc": WRONG_CHECK}, "body.uscc", "invalid_uscc"),
        ({"uscc": "1233010"}, "body.uscc", "string_pattern_mismatch"),
        ({"service_area": ["330106999"]}, "body.service_area[0]", "unknown_division"),
        ({"service_area": ["110101"]}, "body.service_area[0]", "string_pattern_mismatch"),
        ({"offers": ["canteen"]}, "body.offers[0]", "enum"),
        ({"offers": ["research"] * 9}, "body.offers", "too_long"),
        ({"contact_email": "not-an-email"}, "body.contact_email", "value_error"),
        ({"contact_phone": "12345"}, "body.contact_phone", "string_pattern_mismatch"),
        ({"schools": [""]}, "body.schools[0]", "string_too_short"),
        ({"location": {"lat": 91, "lon": 120}}, "body.location.lat", "less_than_equal"),
        ({"status": "closed"}, "body.status", "enum"),
        ({"registration_category": "12"}, "body.registration_category", "extra_forbidden"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(admin, overrides, field, code):
    response = await admin.post("/v1/universities", json=university_body(**overrides))

    assert response.status_code == 422, response.text
    errors = {error["field"]: error["code"] for error in response.json()["errors"]}
    assert errors.get(field) == code, errors
    assert await count(admin) == 0


async def test_filters(admin):
    zjut = await create_university(admin, name="甲大学", service_area=["330106"])
    hznu = await create_university(
        admin,
        name="乙师范大学",
        offers=["research", "training"],
        service_area=["330102001"],
        status="inactive",
    )

    async def names(**params):
        response = await admin.get("/v1/universities", params=params)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert sorted(await names()) == sorted([zjut["name"], hznu["name"]])
    assert await names(division_code="330106002051") == [zjut["name"]]
    assert await names(division_code="330102001") == [hznu["name"]]
    assert await names(division_code="330102") == []
    assert await names(division_code="330100") == []  # no such division: nobody covers it
    assert await names(offer="internship") == [zjut["name"]]
    assert await names(offer="research") == [hznu["name"]]
    assert await names(status="inactive") == [hznu["name"]]
    assert await names(q="师范") == [hznu["name"]]
    assert (await admin.get("/v1/universities", params={"offer": "canteen"})).status_code == 400
    assert (await admin.get("/v1/universities", params={"skill": "casework"})).status_code == 400


async def test_pages_follow_name_order(admin):
    for index in range(5):
        await create_university(admin, name=f"大学{index}", uscc=uscc("12"))
    names, token = [], None
    while True:
        params = {"page_size": 2} | ({"page_token": token} if token else {})
        page = (await admin.get("/v1/universities", params=params)).json()
        names += [item["name"] for item in page["items"]]
        if (token := page["next_page_token"]) is None:
            break
    assert names == [f"大学{index}" for index in range(5)]
    mismatch = await admin.get(
        "/v1/universities", params={"page_size": 2, "page_token": token or "x", "offer": "research"}
    )
    assert mismatch.status_code == 400


async def test_get_with_etag(admin):
    university = await create_university(admin)
    url = f"/v1/universities/{university['id']}"

    response = await admin.get(url)
    assert response.json() == university
    assert (await admin.get(url, headers={"If-None-Match": '"1"'})).status_code == 304
    assert (await admin.get(f"/v1/universities/{uuid.uuid4()}")).status_code == 404


async def test_conditional_update(admin):
    university = await create_university(admin)
    url = f"/v1/universities/{university['id']}"

    assert (await admin.patch(url, json={"offers": ["research"]})).status_code == 428
    changed = await admin.patch(
        url,
        json={"offers": ["research"], "location": None, "contact_email": None},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["offers"] == ["research"]
    assert body["location"] is None
    assert body["contact_email"] is None
    assert body["schools"] == university["schools"]
    assert body["version"] == 2
    landline = await admin.patch(
        url, json={"contact_phone": "0571-88888888"}, headers={"If-Match": '"2"'}
    )
    assert landline.json()["contact_phone"] == "0571-88888888"
    assert (
        await admin.patch(url, json={"name": "x"}, headers={"If-Match": '"1"'})
    ).status_code == 412
    for refused in ({"uscc": uscc("12")}, {"offers": None}, {"service_area": ["330199"]}):
        response = await admin.patch(url, json=refused, headers={"If-Match": "*"})
        assert response.status_code == 422, refused
    unchanged = await admin.patch(url, json={"offers": ["research"]}, headers={"If-Match": "*"})
    assert unchanged.json()["version"] == 3
    assert (await admin.get(url)).json()["version"] == 3
