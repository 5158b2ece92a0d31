"""/v1/organisations: USCC-identified organisations, what they offer, where."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.factories.partners import create_organisation, organisation_body, uscc


async def count(client) -> int:
    return len((await client.get("/v1/organisations", params={"page_size": 200})).json()["items"])


async def test_registering_reads_the_registration_category_and_masks_the_phone(admin):
    body = organisation_body(uscc=uscc("53"), kind="foundation", contact_phone="13812345678")
    response = await admin.post("/v1/organisations", json=body)

    assert response.status_code == 201, response.text
    organisation = response.json()
    assert organisation["registration_category"] == {
        "code": "53",
        "name": "foundation",
        "label_zh": "基金会",
    }
    assert organisation["contact_phone"] == "138****5678"
    assert organisation["capacity"] == {"amount": 40, "unit": "people"}
    assert response.headers["location"] == f"/v1/organisations/{organisation['id']}"
    assert response.headers["etag"] == '"1"'


async def test_the_phone_is_stored_encrypted(admin, services):
    await create_organisation(admin, contact_phone="13812345678")
    async with services.database.engine.connect() as connection:
        dump = str((await connection.execute(text("SELECT * FROM organisation"))).all())
    assert "13812345678" not in dump
    assert "138****5678" in dump


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("91350100M000100Y44", "the check character should be '3'"),
        ("91350100M000100Y4", None),  # 17 characters: the schema refuses it
        ("91350100M0001O0Y43", None),  # letter O is not in the alphabet
    ],
)
async def test_a_uscc_with_a_wrong_check_character_or_shape_is_refused(admin, code, why):
    response = await admin.post("/v1/organisations", json=organisation_body(uscc=code))

    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["field"] in {"uscc", "body.uscc"}
    if why:
        assert problem["code"] == "invalid_uscc"
        assert why in problem["detail"]
    assert await count(admin) == 0


async def test_one_organisation_per_uscc(admin):
    code = uscc("51")
    first = await create_organisation(admin, uscc=code)

    response = await admin.post("/v1/organisations", json=organisation_body(uscc=code))

    assert response.status_code == 409
    assert response.json()["code"] == "organisation_exists"
    assert response.json()["existing_organisation_id"] == first["id"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"service_area": ["330106999"]}, "body.service_area[0]"),
        ({"service_area": ["110101"]}, "body.service_area[0]"),
        ({"skills": ["juggling"]}, "body.skills[0]"),
        ({"service_categories": ["anything"]}, "body.service_categories[0]"),
        ({"capacity": {"amount": -1, "unit": "people"}}, "body.capacity.amount"),
        ({"capacity": {"amount": 3, "unit": "litres"}}, "body.capacity.unit"),
        ({"kind": "club"}, "body.kind"),
        ({"contact_phone": "12345"}, "body.contact_phone"),
        ({"registration_category": "52"}, "body.registration_category"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(admin, overrides, field):
    response = await admin.post("/v1/organisations", json=organisation_body(**overrides))

    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await count(admin) == 0


async def test_filters(admin):
    agency = await create_organisation(admin, name="甲社工机构", service_area=["330106"])
    charity = await create_organisation(
        admin,
        name="乙慈善会",
        uscc=uscc("51"),
        kind="charity",
        is_charity=True,
        is_social_work_agency=False,
        service_categories=["funds", "goods"],
        skills=["fundraising"],
        service_area=["330102001"],
    )

    async def names(**params):
        response = await admin.get("/v1/organisations", params=params)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert sorted(await names()) == sorted([agency["name"], charity["name"]])
    assert await names(division_code="330106002051") == [agency["name"]]  # a 西湖区 community
    assert await names(division_code="330102001") == [charity["name"]]
    assert await names(division_code="330102") == []  # a district-wide need is wider
    assert await names(kind="charity") == [charity["name"]]
    assert await names(category="funds") == [charity["name"]]
    assert await names(skill="casework") == [agency["name"]]
    assert await names(is_charity="true") == [charity["name"]]
    assert await names(is_social_work_agency="true") == [agency["name"]]
    assert await names(q="慈善") == [charity["name"]]
    assert await names(status="withdrawn") == []
    assert await names(division_code="330100") == []  # shaped like a code, names no division


async def test_pages_follow_name_order(admin):
    for index in range(5):
        await create_organisation(admin, name=f"机构{index}", uscc=uscc("52"))
    first = (await admin.get("/v1/organisations", params={"page_size": 2})).json()
    second = (
        await admin.get(
            "/v1/organisations", params={"page_size": 2, "page_token": first["next_page_token"]}
        )
    ).json()
    third = (
        await admin.get(
            "/v1/organisations", params={"page_size": 2, "page_token": second["next_page_token"]}
        )
    ).json()
    names = [item["name"] for page in (first, second, third) for item in page["items"]]
    assert names == [f"机构{index}" for index in range(5)]
    assert third["next_page_token"] is None


async def test_conditional_update(admin):
    organisation = await create_organisation(admin)
    url = f"/v1/organisations/{organisation['id']}"

    assert (await admin.patch(url, json={"skills": ["legal_aid"]})).status_code == 428
    changed = await admin.patch(
        url,
        json={"skills": ["legal_aid"], "capacity": None, "contact_phone": "0571-88888888"},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["skills"] == ["legal_aid"]
    assert body["capacity"] is None
    assert body["contact_phone"] == "0571-88888888"
    assert body["version"] == 2
    assert (
        await admin.patch(url, json={"name": "x"}, headers={"If-Match": '"1"'})
    ).status_code == 412
    assert (
        await admin.patch(url, json={"uscc": uscc()}, headers={"If-Match": "*"})
    ).status_code == 422
    bad_area = await admin.patch(url, json={"service_area": ["330199"]}, headers={"If-Match": "*"})
    assert bad_area.status_code == 422
    assert (await admin.get(url)).json()["version"] == 2
