"""/v1/charity-resources: what organisations offer, in the right unit, available or why not."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from tests.factories.volunteers import (
    create_partner_organisation,
    create_resource,
    resource_body,
)

NOBODY = "00000000-0000-4000-8000-000000000000"
TODAY = date(2026, 6, 15)


@pytest.fixture
def today(app, services) -> Iterator[date]:
    """The service's clock stands at TODAY (noon in Hangzhou, 04:00 UTC)."""
    fixed = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)
    app.state.services = dataclasses.replace(services, clock=lambda: fixed)
    try:
        yield TODAY
    finally:
        app.state.services = services


@pytest.fixture
async def organisation(admin) -> dict:
    return await create_partner_organisation(admin, kind="charity", is_charity=True)


async def count(client) -> int:
    response = await client.get("/v1/charity-resources", params={"page_size": 200})
    return len(response.json()["items"])


async def test_registering_a_resource(admin, organisation, today):
    response = await admin.post("/v1/charity-resources", json=resource_body(organisation["id"]))

    assert response.status_code == 201, response.text
    resource = response.json()
    assert resource["remaining_quantity"] == resource["total_quantity"] == 50_000  # defaulted
    assert (resource["kind"], resource["unit"]) == ("funds", "yuan")
    assert resource["availability"] == "available"
    assert resource["restrictions"] == "仅限辖区内80周岁以上独居老人。\n按月发放。"
    assert response.headers["location"] == f"/v1/charity-resources/{resource['id']}"
    assert response.headers["etag"] == '"1"'
    fetched = await admin.get(response.headers["location"])
    assert fetched.json() == resource
    etag = {"If-None-Match": fetched.headers["etag"]}
    assert (await admin.get(response.headers["location"], headers=etag)).status_code == 304


@pytest.mark.parametrize(
    ("kind", "unit", "accepted"),
    [
        ("funds", "yuan", True),
        ("funds", "items", False),
        ("goods", "items", True),
        ("goods", "yuan", False),
        ("venue", "square_metres", True),
        ("venue", "sessions", True),
        ("venue", "hours", True),
        ("venue", "people", False),
        ("project", "people", True),
        ("project", "sessions", True),
        ("project", "square_metres", False),
    ],
)
async def test_each_kind_is_counted_in_its_own_units(admin, organisation, kind, unit, accepted):
    response = await admin.post(
        "/v1/charity-resources", json=resource_body(organisation["id"], kind=kind, unit=unit)
    )

    if accepted:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 422
        assert response.json()["code"] == "unit_not_for_kind"
        assert [error["field"] for error in response.json()["errors"]] == ["body.unit"]
        assert await count(admin) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"organisation_id": NOBODY}, "body.organisation_id"),
        ({"organisation_id": None}, "body.organisation_id"),
        ({"total_quantity": 10, "remaining_quantity": 11}, "body.remaining_quantity"),
        ({"total_quantity": -1}, "body.total_quantity"),
        ({"total_quantity": 1.5}, "body.total_quantity"),
        ({"total_quantity": 10**13}, "body.total_quantity"),
        ({"remaining_quantity": -1}, "body.remaining_quantity"),
        ({"valid_from": "2026-12-31", "valid_until": "2026-01-01"}, "body.valid_until"),
        ({"valid_from": 0}, "body.valid_from"),
        ({"valid_until": "2026-02-30"}, "body.valid_until"),
        ({"valid_until": "2026-12-31T00:00:00+08:00"}, "body.valid_until"),
        ({"kind": "loan"}, "body.kind"),
        ({"unit": "litres"}, "body.unit"),
        ({"target_groups": ["pets"]}, "body.target_groups[0]"),
        ({"service_area": ["330106999"]}, "body.service_area[0]"),
        ({"title": ""}, "body.title"),
        ({"title": "助餐\n补贴"}, "body.title"),
        ({"restrictions": "仅限\x00老人"}, "body.restrictions"),
        ({"restrictions": "x" * 1001}, "body.restrictions"),
        ({"status": "spent"}, "body.status"),
        ({"availability": "available"}, "body.availability"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(admin, organisation, overrides, field):
    response = await admin.post(
        "/v1/charity-resources", json=resource_body(organisation["id"], **overrides)
    )

    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await count(admin) == 0


@pytest.mark.parametrize(
    ("overrides", "availability"),
    [
        ({}, "available"),
        ({"valid_from": "2026-06-15", "valid_until": "2026-06-15"}, "available"),
        ({"valid_from": None, "valid_until": None}, "available"),
        ({"remaining_quantity": 0}, "exhausted"),
        ({"valid_until": "2026-06-14"}, "expired"),
        ({"valid_from": "2026-06-16"}, "not_yet_valid"),
        ({"status": "withdrawn"}, "withdrawn"),
        ({"status": "inactive"}, "withdrawn"),
    ],
)
async def test_availability_is_derived_for_today(
    admin, organisation, today, overrides, availability
):
    resource = await create_resource(admin, organisation["id"], **overrides)

    assert resource["availability"] == availability
    listed = (await admin.get("/v1/charity-resources")).json()["items"]
    assert [item["availability"] for item in listed] == [availability]


async def test_filters(admin, organisation, today):
    other = await create_partner_organisation(admin, name="乙基金会", kind="foundation")
    meals = await create_resource(admin, organisation["id"], title="助餐补贴")
    room = await create_resource(
        admin,
        other["id"],
        title="活动室",
        kind="venue",
        total_quantity=40,
        remaining_quantity=0,
        unit="sessions",
        valid_from="2026-07-01",
        valid_until=None,
        target_groups=["children"],
        service_area=["330102001"],
        status="inactive",
    )

    async def titles(**params):
        response = await admin.get("/v1/charity-resources", params=params)
        assert response.status_code == 200, response.text
        return [item["title"] for item in response.json()["items"]]

    assert sorted(await titles()) == sorted([meals["title"], room["title"]])
    assert await titles(organisation_id=other["id"]) == ["活动室"]
    assert await titles(kind="funds") == ["助餐补贴"]
    assert await titles(target_group="children") == ["活动室"]
    assert await titles(target_group="elderly") == ["助餐补贴"]
    assert await titles(division_code="330106002051") == ["助餐补贴"]
    assert await titles(division_code="330102001") == ["活动室"]
    assert await titles(division_code="330100") == []  # no such district: nobody covers it
    assert await titles(status="inactive") == ["活动室"]
    assert await titles(available_on="2026-06-30") == ["助餐补贴"]
    assert sorted(await titles(available_on="2026-07-01")) == sorted(["助餐补贴", "活动室"])
    assert await titles(available_on="2027-01-01") == ["活动室"]  # open-ended
    assert await titles(has_remaining="true") == ["助餐补贴"]
    assert await titles(has_remaining="false") == ["活动室"]
    assert await titles(q="助餐") == ["助餐补贴"]


@pytest.mark.parametrize(
    "params",
    [
        {"available_on": "2026-13-01"},
        {"available_on": "0"},
        {"available_on": "2026-06-15T00:00:00"},
        {"kind": "loan"},
        {"has_remaining": "maybe"},
        {"organisation_id": "x"},
        {"unit": "yuan"},
    ],
)
async def test_bad_filters_are_400(admin, params):
    response = await admin.get("/v1/charity-resources", params=params)
    assert response.status_code == 400, response.text


async def test_pages_follow_title_order(admin, organisation):
    for index in range(5):
        await create_resource(admin, organisation["id"], title=f"物资{index}")
    titles, token = [], None
    while True:
        params = {"page_size": 2} | ({"page_token": token} if token else {})
        page = (await admin.get("/v1/charity-resources", params=params)).json()
        titles += [item["title"] for item in page["items"]]
        if (token := page["next_page_token"]) is None:
            break
    assert titles == [f"物资{index}" for index in range(5)]


async def test_conditional_update(admin, organisation, today):
    resource = await create_resource(admin, organisation["id"])
    url = f"/v1/charity-resources/{resource['id']}"

    assert (await admin.patch(url, json={"remaining_quantity": 0})).status_code == 428
    spent = await admin.patch(
        url,
        json={"remaining_quantity": 0, "valid_until": None, "restrictions": None},
        headers={"If-Match": '"1"'},
    )
    assert spent.status_code == 200, spent.text
    body = spent.json()
    assert (body["remaining_quantity"], body["valid_until"], body["restrictions"]) == (
        0,
        None,
        None,
    )
    assert (body["availability"], body["version"]) == ("exhausted", 2)
    assert spent.headers["etag"] == '"2"'

    stale = await admin.patch(url, json={"title": "x"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    same = await admin.patch(url, json={"remaining_quantity": 0}, headers={"If-Match": "*"})
    assert same.json()["version"] == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"total_quantity": 100}, "body.remaining_quantity"),  # below what remains (50,000)
        ({"remaining_quantity": 50_001}, "body.remaining_quantity"),
        ({"kind": "goods"}, "body.unit"),  # goods are not counted in yuan
        ({"unit": "items"}, "body.unit"),
        ({"valid_from": "2027-01-01"}, "body.valid_until"),  # after the stored end
        ({"valid_until": "2025-12-31"}, "body.valid_until"),
        ({"service_area": ["330199"]}, "body.service_area[0]"),
        ({"organisation_id": NOBODY}, "body.organisation_id"),  # who offers it does not change
        ({"title": None}, "body.title"),
        ({"total_quantity": None}, "body.total_quantity"),
    ],
)
async def test_a_bad_update_names_the_field_and_changes_nothing(
    admin, organisation, changes, field
):
    resource = await create_resource(admin, organisation["id"])
    url = f"/v1/charity-resources/{resource['id']}"

    response = await admin.patch(url, json=changes, headers={"If-Match": "*"})

    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert (await admin.get(url)).json() == resource


async def test_a_kind_and_its_unit_change_together(admin, organisation):
    resource = await create_resource(admin, organisation["id"])
    changed = await admin.patch(
        f"/v1/charity-resources/{resource['id']}",
        json={"kind": "goods", "unit": "items", "total_quantity": 300, "remaining_quantity": 120},
        headers={"If-Match": "*"},
    )
    assert changed.status_code == 200, changed.text
    assert [
        changed.json()[k] for k in ("kind", "unit", "total_quantity", "remaining_quantity")
    ] == [
        "goods",
        "items",
        300,
        120,
    ]


async def test_unknown_resource_is_404(admin):
    assert (await admin.get(f"/v1/charity-resources/{NOBODY}")).status_code == 404
    response = await admin.patch(
        f"/v1/charity-resources/{NOBODY}", json={"title": "x"}, headers={"If-Match": "*"}
    )
    assert response.status_code == 404


async def test_a_page_is_one_query_whatever_its_length(admin, organisation, count_queries):
    for index in range(6):
        await create_resource(admin, organisation["id"], title=f"物资{index}")

    counter = count_queries()
    response = await admin.get("/v1/charity-resources", params={"available_on": "2026-03-01"})

    assert len(response.json()["items"]) == 6
    assert len(counter.statements) == 2  # the API key, then the page
