"""The compiled GET routes answer exactly what FastAPI answers, on every GET route of the contract.

Each GET row of the authorization table is requested from this app (compiled routes on) and from a
second app on the same database with them off, by callers of every kind – every scope, bound to
a station or an organisation, a reader only, no key, an unknown key – on their own objects and
others', plain and with an unknown query parameter, an invalid page size and an If-None-Match.
Status, headers and body must be the same bytes.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from service.domain.access import Scope
from service.http import compiled_routes
from service.main import create_app
from service.settings import Settings
from tests.api.test_authorization import (
    EVERY_SCOPE_BUT_AUDIT,
    ORGANISATION,
    STATION,
    TABLE,
    _client,
    world,  # noqa: F401 - the table's fixture, shared
)

VOLATILE = {"date"}
REMAINING = re.compile(r"r=\d+")
# Reads whose answer changes with every read: the audit trail records personal-data reads and
# its own reads, the event feed carries those records; compared on status and headers only.
SELF_CHANGING = re.compile(r"^/v1/(audit-events|events)|/contact$")
GET_ROUTES = sorted(route for route in TABLE if route[0] == "GET")


@pytest.fixture(scope="module")
async def framework_only(settings: Settings) -> Any:
    """A second app on the same database, every request answered by FastAPI."""
    plain = create_app(settings.model_copy(update={"compiled_reads": False}))
    async with plain.router.lifespan_context(plain):
        yield plain


def _answer(response: httpx.Response, *, with_body: bool) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in response.headers.items() if k not in VOLATILE}
    if "ratelimit" in headers:  # each app counts in its own memory: what is left may differ
        headers["ratelimit"] = REMAINING.sub("r=…", headers["ratelimit"])
    return response.status_code, headers, response.content if with_body else b""


def _variants(path: str) -> list[tuple[str, dict[str, str]]]:
    joiner = "&" if "?" in path else "?"
    return [
        (path, {}),
        (path + joiner + "no_such_parameter=1", {}),
        (path + joiner + "page_size=0", {}),
        (path, {"If-None-Match": '"1"'}),
    ]


async def _callers(app: FastAPI, plain: FastAPI, services: Any, built: Any) -> list[Any]:
    """The same callers on both apps: each app counts its own rate limits, so each needs its
    own client object, but the keys are shared (one database)."""
    callers = []
    for scopes, binding in (
        (EVERY_SCOPE_BUT_AUDIT, {}),
        (EVERY_SCOPE_BUT_AUDIT, {"station_id": uuid.UUID(built.station_a)}),
        (EVERY_SCOPE_BUT_AUDIT, {"organisation_id": uuid.UUID(built.organisation_o)}),
        ((Scope.REGISTRY_READ,), {}),
        ((Scope.AUDIT,), {}),
    ):
        client = await _client(app, services, *scopes, **binding)
        key = client.headers["authorization"]
        twin = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=plain),
            base_url="http://testserver",
            headers={"Authorization": key},
        )
        callers.append((client, twin))
    for headers in ({}, {"Authorization": "Bearer lk_unknown"}, {"Authorization": "Basic x"}):
        callers.append(
            tuple(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=target),
                    base_url="http://testserver",
                    headers=headers,
                )
                for target in (app, plain)
            )
        )
    return callers


@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda route: route[1])
async def test_compiled_and_framework_answers_are_the_same_bytes(
    app,
    framework_only,
    services,
    route,
    world,  # noqa: F811 - the fixture imported above
):
    row = TABLE[route]
    built = world
    callers = await _callers(app, framework_only, services, built)
    different = []
    try:
        for owner in ("own", "other"):
            for binding in (STATION, ORGANISATION):
                built.binding = binding
                call = await row.make(built, owner)
                with_body = SELF_CHANGING.search(call.path.split("?")[0]) is None
                for path, extra in _variants(call.path):
                    for index, (compiled, plain) in enumerate(callers):
                        headers = call.headers | extra | {"X-Request-ID": "compare"}
                        fast = await compiled.get(path, headers=headers)
                        slow = await plain.get(path, headers=headers)
                        if _answer(fast, with_body=with_body) != _answer(slow, with_body=with_body):
                            different.append(
                                f"caller {index} {owner} {path} {extra}:\n"
                                f"  compiled  {fast.status_code} {dict(fast.headers)}"
                                f" {fast.text[:300]}\n"
                                f"  framework {slow.status_code} {dict(slow.headers)}"
                                f" {slow.text[:300]}"
                            )
    finally:
        for pair in callers:
            for client in pair:
                await client.aclose()
    assert not different, "\n".join(different[:5])


def test_every_get_route_of_the_app_is_compiled(app):
    stack = app.build_middleware_stack()
    compiled = stack.app
    assert isinstance(compiled, compiled_routes.CompiledRoutes)
    get_routes = {
        context.original_route.path
        for context in iter_route_contexts(app.router.routes)
        if isinstance(context.original_route, APIRoute)
        and "GET" in (context.original_route.methods or ())
    }
    assert {plan.route.path for plan in compiled.compiled} == get_routes


async def test_the_compiled_path_answers_and_the_framework_is_not_asked(app, admin, monkeypatch):
    """Held to the same bytes is only half of it: the compiled path must be the one answering."""
    asked = []
    original = compiled_routes.CompiledRoute.answer

    async def spy(self: compiled_routes.CompiledRoute, *args: Any) -> None:
        asked.append(self.route.path)
        await original(self, *args)

    monkeypatch.setattr(compiled_routes.CompiledRoute, "answer", spy)
    assert (await admin.get("/v1/stations")).status_code == 200
    assert (await admin.get("/v1/vocabularies")).status_code == 200
    assert (await admin.get("/v1/stations?no_such_parameter=1")).status_code == 400
    assert asked == ["/v1/stations", "/v1/vocabularies"]


async def test_an_invalid_parameter_is_left_to_the_framework_before_anything_runs(
    app, make_client, monkeypatch
):
    """Parameters are all checked before the first dependency runs: a request the framework
    must answer (here a 400 for the page size) is counted once by the rate limiter, not twice."""
    reader = await make_client(Scope.REGISTRY_READ)
    first = await reader.get("/v1/stations")
    second = await reader.get("/v1/stations?page_size=0")
    third = await reader.get("/v1/stations")
    assert second.status_code == 400
    remaining = [
        int(re.search(r"r=(\d+)", r.headers["ratelimit"]).group(1))  # type: ignore[union-attr]
        for r in (first, second, third)
    ]
    assert remaining[0] - remaining[1] == 1
    assert remaining[1] - remaining[2] == 1


async def test_dependency_overrides_are_honoured(app, admin):
    """Tests and embedders swap dependencies; with an override in place FastAPI answers."""
    from service.http.routing import get_services  # noqa: PLC0415

    def broken() -> None:
        raise RuntimeError("the override ran")

    app.dependency_overrides[get_services] = broken
    try:
        response = await admin.get("/v1/stations")
    finally:
        app.dependency_overrides.clear()
    assert response.status_code == 500
