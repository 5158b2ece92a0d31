"""The Open Referral HSDS 3.0 view: every response holds to the specification's field
definitions (tests/api/hsds_spec.py), pages as HSDS says, and publishes no personal data."""

from __future__ import annotations

import uuid

import jsonschema_rs
import pytest

from service.domain.access import Scope
from tests.api import hsds_spec
from tests.factories.partners import create_organisation

VALIDATORS = {
    name: jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    for name, schema in {
        "organization": hsds_spec.ORGANIZATION,
        "service": hsds_spec.SERVICE,
        "organization_page": hsds_spec.page_of("organization"),
        "service_page": hsds_spec.page_of("service"),
        "metadata": hsds_spec.METADATA,
    }.items()
}


def holds(name: str, body: object) -> None:
    errors = [f"{e.instance_path}: {e.message}" for e in VALIDATORS[name].iter_errors(body)]
    assert errors == [], errors


def test_the_field_checks_can_fail():
    """The checks catch what HSDS forbids: a missing required field, a wrong enum, a bad uuid."""
    good = {"id": str(uuid.uuid4()), "name": "x", "status": "active"}
    holds("service", good)
    for bad in (
        {k: v for k, v in good.items() if k != "status"},
        good | {"status": "open"},
        good | {"id": "not-a-uuid"},
        good | {"contact_phone": "13900000000"},
        good | {"name": None},
    ):
        assert not VALIDATORS["service"].is_valid(bad), bad
    assert not VALIDATORS["organization_page"].is_valid({"contents": []})


@pytest.fixture
async def reader(make_client):
    return await make_client(Scope.REGISTRY_READ, name="hsds-reader")


async def directory(admin) -> list[dict]:
    return [
        await create_organisation(
            admin,
            name="杭州市西湖区阳光社会工作服务中心",
            service_categories=["professional_service", "volunteer_service"],
            service_area=["330106", "330106002"],
        ),
        await create_organisation(
            admin,
            name="杭州市上城区慈善基金会",
            kind="foundation",
            service_categories=["funds"],
            service_area=["330102"],
        ),
    ]


async def test_organizations_hold_to_the_specification(admin, reader):
    created = await directory(admin)
    response = await reader.get("/v1/hsds/organizations", params={"per_page": 1})
    assert response.status_code == 200, response.text
    page = response.json()
    holds("organization_page", page)
    assert (page["total_items"], page["total_pages"], page["size"]) == (2, 2, 1)
    assert page["first_page"] and not page["last_page"] and not page["empty"]

    second = (await reader.get("/v1/hsds/organizations", params={"per_page": 1, "page": 2})).json()
    holds("organization_page", second)
    assert second["last_page"] and not second["first_page"]
    ids = {page["contents"][0]["id"], second["contents"][0]["id"]}
    assert ids == {o["id"] for o in created}

    one = (await reader.get(f"/v1/hsds/organizations/{created[1]['id']}")).json()
    holds("organization", one)
    assert one["organization_identifiers"][0]["identifier"] == created[1]["uscc"]
    assert "基金会" in one["description"] or one["legal_status"] == "基金会"


async def test_services_hold_to_the_specification_with_chinese_terms(admin, reader):
    created = await directory(admin)
    page = (await reader.get("/v1/hsds/services")).json()
    holds("service_page", page)
    assert page["total_items"] == 3
    names = sorted(s["name"] for s in page["contents"])
    assert any("志愿服务" in n for n in names) and any("资金" in n for n in names)

    for listed in page["contents"]:
        response = await reader.get(f"/v1/hsds/services/{listed['id']}")
        assert response.status_code == 200, response.text
        service = response.json()
        holds("service", service)
        term = service["attributes"][0]["taxonomy_term"]
        assert term["code"] in ("professional_service", "volunteer_service", "funds")
        assert term["name"] in ("专业社工服务", "志愿服务", "资金")
        assert service["organization"]["id"] == service["organization_id"]

    sunshine = created[0]["id"]
    mine = (await reader.get("/v1/hsds/services", params={"organization_id": sunshine})).json()
    assert {s["organization_id"] for s in mine["contents"]} == {sunshine}
    full = (await reader.get(f"/v1/hsds/services/{mine['contents'][0]['id']}")).json()
    assert sorted(a["name"] for a in full["service_areas"]) == ["北山街道", "西湖区"]


async def test_an_empty_directory_is_an_empty_page(reader):
    page = (await reader.get("/v1/hsds/services")).json()
    holds("service_page", page)
    assert page["empty"] and page["total_items"] == 0 and page["contents"] == []


async def test_modified_after_narrows_the_feed(admin, reader):
    first, second = await directory(admin)
    since = second["updated_at"]
    page = (await reader.get("/v1/hsds/organizations", params={"modified_after": since})).json()
    assert [o["id"] for o in page["contents"]] == [second["id"]]


async def test_the_metadata_endpoint(reader):
    response = await reader.get("/v1/hsds")
    assert response.status_code == 200
    holds("metadata", response.json())
    assert response.json()["version"] == "3.0"


async def test_unknown_ids_are_404(reader):
    for path in ("/v1/hsds/services", "/v1/hsds/organizations"):
        assert (await reader.get(f"{path}/{uuid.uuid4()}")).status_code == 404


async def test_no_personal_data_is_published(admin, reader):
    created = await directory(admin)
    text = (await reader.get("/v1/hsds/organizations")).text
    text += (await reader.get(f"/v1/hsds/services?organization_id={created[0]['id']}")).text
    for listed in (await reader.get("/v1/hsds/services")).json()["contents"]:
        text += (await reader.get(f"/v1/hsds/services/{listed['id']}")).text
    assert "王敏" not in text and "contact" not in text and "phone" not in text
