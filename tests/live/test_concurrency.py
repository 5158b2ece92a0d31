"""Real parallel requests over sockets against one uvicorn process and the real database."""

from __future__ import annotations

import asyncio

import httpx

from service.domain.access import Scope
from service.usecases.clients import create_client
from tests.factories.registry import BEISHAN, communities_of, station_body

PARALLEL = 20


async def admin_headers(services) -> dict[str, str]:
    issued = await create_client(services, name="live-admin", scopes=[Scope.ADMIN])
    return {"Authorization": f"Bearer {issued.api_key}"}


async def fire(base_url: str, requests: list[dict]) -> list[httpx.Response]:
    """Send every request at once, each on its own connection."""
    limits = httpx.Limits(max_connections=PARALLEL)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        return await asyncio.gather(*(client.request(**request) for request in requests))


async def call(base_url: str, method: str, url: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        return await client.request(method, url, **kwargs)


async def test_concurrent_registrations_of_one_township_make_exactly_one_station(
    live_server, services
):
    headers = await admin_headers(services)
    request = {"method": "POST", "url": "/v1/stations", "json": station_body(), "headers": headers}

    responses = await fire(live_server, [request] * PARALLEL)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (PARALLEL - 1), statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"station_exists"}
    listing = (await call(live_server, "GET", "/v1/stations", headers=headers)).json()["items"]
    assert len(listing) == 1


async def test_concurrent_retries_with_one_idempotency_key_create_once(live_server, services):
    headers = await admin_headers(services) | {"Idempotency-Key": "retry-storm"}
    request = {"method": "POST", "url": "/v1/stations", "json": station_body(), "headers": headers}

    responses = await fire(live_server, [request] * PARALLEL)

    created = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    conflicts = {r.json()["code"] for r in responses if r.status_code == 409}
    assert conflicts <= {"idempotency_key_in_use", "station_exists"}
    assert all(r.status_code in (201, 409) for r in responses)
    listing = (await call(live_server, "GET", "/v1/stations", headers=headers)).json()["items"]
    assert [station["id"] for station in listing] == list(created)


async def test_concurrent_updates_of_one_version_let_exactly_one_through(live_server, services):
    headers = await admin_headers(services)
    created = await call(live_server, "POST", "/v1/stations", json=station_body(), headers=headers)
    station = created.json()
    requests = [
        {
            "method": "PATCH",
            "url": f"/v1/stations/{station['id']}",
            "json": {"address": f"地址 {n}"},
            "headers": headers | {"If-Match": '"1"'},
        }
        for n in range(PARALLEL)
    ]

    responses = await fire(live_server, requests)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [412] * (PARALLEL - 1), statuses
    winner = next(r.json() for r in responses if r.status_code == 200)
    current = (
        await call(live_server, "GET", f"/v1/stations/{station['id']}", headers=headers)
    ).json()
    assert current["version"] == 2
    assert current["address"] == winner["address"]


async def test_concurrent_offices_for_one_community_make_exactly_one(live_server, services):
    headers = await admin_headers(services)
    await call(live_server, "POST", "/v1/stations", json=station_body(), headers=headers)
    community = communities_of(BEISHAN)[0]["code"]
    request = {
        "method": "POST",
        "url": "/v1/offices",
        "json": {"community_code": community},
        "headers": headers,
    }

    responses = await fire(live_server, [request] * PARALLEL)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (PARALLEL - 1), statuses
