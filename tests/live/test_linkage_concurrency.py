"""Linkages under real parallel requests: duplicates and R9's one active operating contract hold
when every request checks at the same moment (station rows locked; the partial unique index)."""

from __future__ import annotations

from service.domain.access import Scope
from service.usecases.clients import create_client
from tests.factories.graph import add_university, linkage_body
from tests.factories.partners import organisation_body
from tests.factories.registry import BEISHAN, QINGBO, station_body
from tests.live.test_concurrency import PARALLEL, call, fire

TONGJUN = "330122003"  # 桐庐县 桐君街道


async def admin_headers(services) -> dict[str, str]:
    issued = await create_client(services, name="live-linkages", scopes=[Scope.ADMIN])
    return {"Authorization": f"Bearer {issued.api_key}"}


async def created(base_url: str, url: str, body: dict, headers: dict) -> dict:
    response = await call(base_url, "POST", url, json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict = response.json()
    return result


async def linkages_of(base_url: str, station_id: str, headers: dict) -> list[dict]:
    response = await call(
        base_url, "GET", "/v1/linkages", params={"station_id": station_id}, headers=headers
    )
    assert response.status_code == 200, response.text
    items: list[dict] = response.json()["items"]
    return items


async def test_parallel_duplicates_make_exactly_one_linkage(live_server, services):
    headers = await admin_headers(services)
    station = await created(live_server, "/v1/stations", station_body(BEISHAN), headers)
    university = await add_university(services)
    body = linkage_body(station["id"], "university", university, "practice_base")
    request = {"method": "POST", "url": "/v1/linkages", "json": body, "headers": headers}

    responses = await fire(live_server, [request] * PARALLEL)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (PARALLEL - 1), statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"linkage_overlaps"}
    assert len(await linkages_of(live_server, station["id"], headers)) == 1


async def test_parallel_pairings_from_both_sides_make_exactly_one(live_server, services):
    headers = await admin_headers(services)
    beishan = await created(live_server, "/v1/stations", station_body(BEISHAN), headers)
    tongjun = await created(live_server, "/v1/stations", station_body(TONGJUN), headers)
    forward = linkage_body(beishan["id"], "station", tongjun["id"], "pairing")
    backward = linkage_body(tongjun["id"], "station", beishan["id"], "pairing")
    requests = [
        {"method": "POST", "url": "/v1/linkages", "json": body, "headers": headers}
        for body in [forward, backward] * (PARALLEL // 2)
    ]

    responses = await fire(live_server, requests)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (len(requests) - 1), statuses
    assert len(await linkages_of(live_server, beishan["id"], headers)) == 1
    assert len(await linkages_of(live_server, tongjun["id"], headers)) == 1


async def test_parallel_operating_contracts_leave_one_active(live_server, services):
    headers = await admin_headers(services)
    station = await created(live_server, "/v1/stations", station_body(QINGBO), headers)
    agencies = [
        await created(
            live_server,
            "/v1/organisations",
            organisation_body(name=f"社工机构{n}"),
            headers,
        )
        for n in range(PARALLEL // 2)
    ]
    requests = [
        {
            "method": "POST",
            "url": "/v1/linkages",
            "json": linkage_body(station["id"], "organisation", agency["id"], "operating_contract"),
            "headers": headers,
        }
        for agency in agencies
    ]

    responses = await fire(live_server, requests)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (len(requests) - 1), statuses
    codes = {r.json()["code"] for r in responses if r.status_code == 409}
    assert codes == {"operating_contract_exists"}


async def test_parallel_reactivations_of_operating_contracts_let_one_through(live_server, services):
    headers = await admin_headers(services)
    station = await created(live_server, "/v1/stations", station_body(BEISHAN), headers)
    contracts = []
    for n in range(PARALLEL // 2):
        agency = await created(
            live_server,
            "/v1/organisations",
            organisation_body(name=f"社工机构{n}"),
            headers,
        )
        body = linkage_body(
            station["id"], "organisation", agency["id"], "operating_contract", status="suspended"
        )
        contracts.append(await created(live_server, "/v1/linkages", body, headers))
    requests = [
        {
            "method": "PATCH",
            "url": f"/v1/linkages/{contract['id']}",
            "json": {"status": "active"},
            "headers": headers | {"If-Match": '"1"'},
        }
        for contract in contracts
    ]

    responses = await fire(live_server, requests)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [409] * (len(requests) - 1), statuses
    active = [
        linkage
        for linkage in await linkages_of(live_server, station["id"], headers)
        if linkage["status"] == "active"
    ]
    assert len(active) == 1
