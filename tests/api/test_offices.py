"""/v1/offices: community offices under the station of their township (R5)."""

from __future__ import annotations

import pytest

from service.domain.access import Scope
from tests.factories.registry import (
    BEISHAN,
    QINGBO,
    communities_of,
    create_office,
    create_station,
    name_of,
)

BEISHAN_COMMUNITY = communities_of(BEISHAN)[0]["code"]
QINGBO_COMMUNITY = communities_of(QINGBO)[0]["code"]


async def office_count(client) -> int:
    return len((await client.get("/v1/offices", params={"page_size": 200})).json()["items"])


async def test_an_office_belongs_to_the_station_of_its_township(admin):
    station = await create_station(admin, BEISHAN)

    response = await admin.post(
        "/v1/offices",
        json={
            "community_code": BEISHAN_COMMUNITY,
            "is_demonstration": True,
            "featured_service": "老年人助餐",
        },
    )

    assert response.status_code == 201, response.text
    office = response.json()
    assert office["station_id"] == station["id"]
    assert office["district_code"] == "330106"
    assert office["name"] == f"{name_of(BEISHAN_COMMUNITY)}特色社会工作室"
    assert response.headers["location"] == f"/v1/offices/{office['id']}"
    assert response.headers["etag"] == '"1"'


async def test_an_office_may_carry_its_own_name(admin):
    await create_station(admin, BEISHAN)
    office = await create_office(admin, BEISHAN_COMMUNITY, name="银龄驿站社工室")
    assert office["name"] == "银龄驿站社工室"


async def test_no_office_before_the_township_has_a_station(admin):
    response = await admin.post("/v1/offices", json={"community_code": BEISHAN_COMMUNITY})

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "township_has_no_station"
    assert problem["errors"][0]["field"] == "community_code"
    assert BEISHAN in problem["detail"]
    assert await office_count(admin) == 0


@pytest.mark.parametrize("code", ["330106002999", "330106002", "110101001001"])
async def test_the_community_must_be_a_hangzhou_village_level_unit(admin, code):
    await create_station(admin, BEISHAN)
    response = await admin.post("/v1/offices", json={"community_code": code})
    assert response.status_code == 422
    assert await office_count(admin) == 0


async def test_one_office_per_community(admin):
    await create_station(admin, BEISHAN)
    first = await create_office(admin, BEISHAN_COMMUNITY)

    response = await admin.post("/v1/offices", json={"community_code": BEISHAN_COMMUNITY})

    assert response.status_code == 409
    assert response.json()["code"] == "office_exists"
    assert response.json()["existing_office_id"] == first["id"]


async def test_list_filters(admin):
    beishan = await create_station(admin, BEISHAN)
    await create_station(admin, QINGBO)
    await create_office(admin, BEISHAN_COMMUNITY, is_demonstration=True)
    await create_office(admin, QINGBO_COMMUNITY)

    async def communities(**params):
        response = await admin.get("/v1/offices", params=params)
        assert response.status_code == 200, response.text
        return [item["community_code"] for item in response.json()["items"]]

    assert await communities() == [QINGBO_COMMUNITY, BEISHAN_COMMUNITY]
    assert await communities(station_id=beishan["id"]) == [BEISHAN_COMMUNITY]
    assert await communities(district_code="330102") == [QINGBO_COMMUNITY]
    assert await communities(is_demonstration="true") == [BEISHAN_COMMUNITY]


async def test_get_and_conditional_patch(admin):
    await create_station(admin, BEISHAN)
    office = await create_office(admin, BEISHAN_COMMUNITY)
    url = f"/v1/offices/{office['id']}"

    assert (await admin.get(url)).json() == office
    assert (await admin.patch(url, json={"is_demonstration": True})).status_code == 428

    updated = await admin.patch(
        url,
        json={"is_demonstration": True, "featured_service": "儿童托管"},
        headers={"If-Match": '"1"'},
    )
    assert updated.status_code == 200
    assert updated.json()["is_demonstration"] is True
    assert updated.json()["version"] == 2

    stale = await admin.patch(url, json={"featured_service": None}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412

    cleared = await admin.patch(url, json={"featured_service": None}, headers={"If-Match": '"2"'})
    assert cleared.json()["featured_service"] is None
    assert (
        await admin.patch(url, json={"name": None}, headers={"If-Match": "*"})
    ).status_code == 422
    assert (
        await admin.patch(url, json={"station_id": office["station_id"]}, headers={"If-Match": "*"})
    ).status_code == 422


async def test_a_station_bound_client_works_only_under_its_own_station(admin, make_client):
    own = await create_station(admin, BEISHAN)
    await create_station(admin, QINGBO)
    other_office = await create_office(admin, QINGBO_COMMUNITY)
    bound = await make_client(Scope.REGISTRY_READ, Scope.REGISTRY_WRITE, station_id=own["id"])

    assert (
        await bound.post("/v1/offices", json={"community_code": BEISHAN_COMMUNITY})
    ).status_code == 201

    outside = await bound.post(
        "/v1/offices", json={"community_code": communities_of(QINGBO)[1]["code"]}
    )
    assert outside.status_code == 403
    assert outside.json()["code"] == "outside_station_binding"

    patch = await bound.patch(
        f"/v1/offices/{other_office['id']}",
        json={"is_demonstration": True},
        headers={"If-Match": "*"},
    )
    assert patch.status_code == 403  # the registry is readable: a refusal, not a secret
    assert patch.json()["code"] == "outside_station_binding"
    assert (await admin.get(f"/v1/offices/{other_office['id']}")).json()["version"] == 1
