"""Edge requests on one route: the compiled path answers exactly what the FastAPI route answers
(odd paths, repeated and overlong headers, unknown ids), with the same queries, under the same
metric."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from service.domain.access import Scope
from service.main import create_app
from service.settings import Settings
from tests.factories.registry import QINGBO, create_station

VOLATILE = {"date"}
REMAINING = re.compile(r"r=\d+")


@pytest.fixture(scope="module")
async def framework_only(settings: Settings, app: FastAPI):
    """A second app on the same database with the compiled routes switched off."""
    slow = create_app(settings.model_copy(update={"compiled_reads": False}))
    async with slow.router.lifespan_context(slow):
        yield slow


def answer(response: httpx.Response) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in response.headers.items() if k not in VOLATILE}
    if "ratelimit" in headers:  # each app counts in its own memory: what is left may differ
        headers["ratelimit"] = REMAINING.sub("r=…", headers["ratelimit"])
    return response.status_code, headers, response.content


async def both(app: FastAPI, slow: FastAPI, path: str, headers: dict[str, str]):
    results = []
    for target in (app, slow):
        transport = httpx.ASGITransport(app=target)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            fixed_id = {"X-Request-ID": "compare-paths"}
            results.append(answer(await client.get(path, headers=headers | fixed_id)))
    return results


async def test_compiled_and_framework_paths_give_the_same_answers(
    app, framework_only, admin, make_client, count_queries
):
    station = await create_station(admin, QINGBO)
    other = await create_station(admin, "330106002")
    reader = await make_client(Scope.REGISTRY_READ)
    writer_only = await make_client(Scope.REGISTRY_WRITE)
    bound = await make_client(Scope.REGISTRY_READ, station_id=other["id"])
    key = reader.headers["authorization"]
    url = f"/v1/stations/{station['id']}"
    cases = [
        (url, {"Authorization": key}),
        (url.upper().replace("/V1/STATIONS/", "/v1/stations/"), {"Authorization": key}),
        (url, {"Authorization": key, "If-None-Match": '"1"'}),
        (url, {"Authorization": key, "If-None-Match": '"7", W/"1"'}),
        (url, {"Authorization": key, "If-None-Match": '"2"'}),
        (url, {"Authorization": key, "If-None-Match": "x" * 300}),
        (url, {"Authorization": bound.headers["authorization"]}),
        (url, {}),
        (url, {"Authorization": "Bearer lk_unknown"}),
        (url, {"Authorization": "Basic abc"}),
        (url, {"Authorization": writer_only.headers["authorization"]}),
        ("/v1/stations/6f1c1e1e-0000-4000-8000-000000000000", {"Authorization": key}),
        ("/v1/stations/6f1c1e1e00004000800000000000000", {"Authorization": key}),
        (url + "?x=1", {"Authorization": key}),
        (url + "/", {"Authorization": key}),
    ]
    for path, headers in cases:
        fast, slow = await both(app, framework_only, path, headers)
        assert fast == slow, (path, headers)

    counter = count_queries()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get(url, headers={"Authorization": key})
    assert response.status_code == 200
    assert len(counter.statements) <= 2  # the key (cached after) and the station, no more


async def test_the_compiled_path_is_measured_under_the_route_template(app, admin, anonymous):
    station = await create_station(admin)
    await admin.get(f"/v1/stations/{station['id']}")
    exposition = (await anonymous.get("/metrics")).text
    assert 'route="/v1/stations/{station_id}",status="200"' in exposition.replace(
        'method="GET",', ""
    )
