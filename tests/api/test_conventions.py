"""The conventions every endpoint follows: problems, request ids, auth, idempotency, limits."""

from __future__ import annotations

import copy
import logging

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import update

from service.db.tables import IdempotencyRecord
from service.domain.access import Scope
from service.main import create_app
from service.usecases.clients import revoke_client
from tests.factories.partners import organisation_body
from tests.factories.registry import QINGBO, create_station, station_body
from tests.factories.volunteers import team_body, volunteer_body

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code", "request_id"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert PROBLEM_KEYS <= set(problem)
    assert problem["status"] == status
    assert problem["code"] == code
    assert problem["request_id"] == response.headers["x-request-id"]
    assert problem["instance"] == response.request.url.path
    assert "Traceback" not in response.text
    return problem


async def test_a_request_id_is_echoed_or_made(admin):
    echoed = await admin.get("/v1/stations", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"

    made = await admin.get("/v1/stations")
    assert len(made.headers["x-request-id"]) == 32

    unsafe = await admin.get("/v1/stations", headers={"X-Request-ID": "a b\tc" + "x" * 200})
    assert unsafe.headers["x-request-id"] != "a b\tc" + "x" * 200


async def test_no_key_bad_key_and_revoked_key_are_401(anonymous, make_client, services):
    missing = await anonymous.get("/v1/stations")
    assert_problem(missing, 401, "unauthenticated")
    assert missing.headers["www-authenticate"] == "Bearer"

    wrong = await anonymous.get("/v1/stations", headers={"Authorization": "Bearer lk_nope"})
    assert_problem(wrong, 401, "invalid_api_key")

    basic = await anonymous.get("/v1/stations", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_problem(basic, 401, "unauthenticated")

    client = await make_client(Scope.REGISTRY_READ)
    assert (await client.get("/v1/stations")).status_code == 200
    await revoke_client(services, client_id=client.client_id)
    assert_problem(await client.get("/v1/stations"), 401, "invalid_api_key")


async def test_missing_scope_is_403(make_client):
    client = await make_client(Scope.REGISTRY_READ)
    problem = assert_problem(
        await client.post("/v1/stations", json=station_body()), 403, "insufficient_scope"
    )
    assert problem["required_scope"] == "registry:write"


async def test_probes_need_no_key(anonymous):
    assert (await anonymous.get("/healthz")).json() == {"status": "ok"}
    assert (await anonymous.get("/readyz")).json() == {"status": "ready"}
    assert (await anonymous.get("/metrics")).status_code == 200


async def test_readiness_fails_when_the_database_is_unreachable(settings):
    dead = settings.model_copy(
        update={"database_url": SecretStr("postgresql+asyncpg://nobody@127.0.0.1:1/none")}
    )
    app = create_app(dead)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/healthz")).status_code == 200
            response = await client.get("/readyz")
    assert_problem(response, 503, "database_unavailable")
    assert response.headers["retry-after"] == "5"


async def test_metrics_count_requests_by_route_template(admin, anonymous):
    station = await create_station(admin)
    await admin.get(f"/v1/stations/{station['id']}")

    exposition = (await anonymous.get("/metrics")).text

    assert 'route="/v1/stations/{station_id}"' in exposition
    assert "linkage_http_request_duration_seconds_bucket" in exposition
    assert station["id"] not in exposition


async def test_idempotent_creation_replays_and_creates_nothing(admin):
    headers = {"Idempotency-Key": "create-beishan-1"}
    first = await admin.post("/v1/stations", json=station_body(), headers=headers)
    again = await admin.post("/v1/stations", json=station_body(), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    listing = (await admin.get("/v1/stations")).json()["items"]
    assert len(listing) == 1


async def test_the_same_key_with_another_body_is_422_and_changes_nothing(admin):
    headers = {"Idempotency-Key": "k-1"}
    await admin.post("/v1/stations", json=station_body(), headers=headers)

    response = await admin.post("/v1/stations", json=station_body(QINGBO), headers=headers)

    assert_problem(response, 422, "idempotency_key_reused")
    assert len((await admin.get("/v1/stations")).json()["items"]) == 1


async def test_keys_are_scoped_to_the_client(admin, make_client):
    other = await make_client(Scope.ADMIN)
    headers = {"Idempotency-Key": "shared-key"}
    assert (
        await admin.post("/v1/stations", json=station_body(), headers=headers)
    ).status_code == 201

    response = await other.post("/v1/stations", json=station_body(QINGBO), headers=headers)

    assert response.status_code == 201
    assert "idempotent-replayed" not in response.headers


async def test_an_expired_key_runs_the_request_again(admin, services):
    headers = {"Idempotency-Key": "old-key"}
    await admin.post("/v1/stations", json=station_body(), headers=headers)
    async with services.database.session() as session:
        await session.execute(update(IdempotencyRecord).values(expires_at=services.clock()))
        await session.commit()

    response = await admin.post("/v1/stations", json=station_body(), headers=headers)

    assert_problem(response, 409, "station_exists")


@pytest.mark.parametrize("key", ["", "with space", "x" * 256, "中文"])
async def test_malformed_idempotency_keys_are_400(admin, key):
    response = await admin.post(
        "/v1/stations", json=station_body(), headers={"Idempotency-Key": key.encode()}
    )
    assert_problem(response, 400, "invalid_parameter")
    assert (await admin.get("/v1/stations")).json()["items"] == []


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b'{"township_code": ', "application/json", 400, "malformed_json"),
        (b'{"township_code": "\\ud800"}', "application/json", 400, "malformed_json"),
        (
            b'{"township_code": "330106002", "demonstration_year": NaN}',
            "application/json",
            400,
            "malformed_json",
        ),
        (
            b"township_code=330106002",
            "application/x-www-form-urlencoded",
            415,
            "unsupported_media_type",
        ),
        (b'{"township_code": "330106002"}', "text/plain", 415, "unsupported_media_type"),
        (b"[]", "application/json", 422, "validation_failed"),
        (b"", "application/json", 422, "validation_failed"),
    ],
)
async def test_bodies_that_are_not_a_json_object_are_refused(
    admin, content, content_type, status, code
):
    response = await admin.post(
        "/v1/stations", content=content, headers={"Content-Type": content_type}
    )
    assert_problem(response, status, code)


async def test_nul_characters_are_refused_before_they_reach_the_database(admin):
    response = await admin.post("/v1/stations", json=station_body(address="a\x00b"))
    assert_problem(response, 422, "validation_failed")


async def test_a_body_over_the_limit_is_413(admin, settings):
    padding = "x" * settings.max_body_bytes
    response = await admin.post("/v1/stations", json=station_body(address=padding))
    assert_problem(response, 413, "content_too_large")


async def test_unknown_routes_and_methods_are_problems(admin):
    assert_problem(await admin.get("/v1/nothing-here"), 404, "not_found")
    wrong_method = await admin.delete("/v1/stations")
    assert_problem(wrong_method, 405, "method_not_allowed")
    assert "GET" in wrong_method.headers["allow"]


async def test_an_unexpected_fault_is_a_500_problem_with_the_trace_in_the_log(settings, caplog):
    app = create_app(settings)

    @app.get("/v1/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        with caplog.at_level(logging.ERROR, logger="linkage.errors"):
            response = await client.get("/v1/boom", headers={"X-Request-ID": "trace-me"})

    problem = assert_problem(response, 500, "internal_error")
    assert "secret internals" not in response.text
    assert problem["request_id"] == "trace-me"
    record = next(r for r in caplog.records if r.name == "linkage.errors")
    assert record.exc_info is not None
    assert "secret internals" in str(record.exc_info[1])


async def test_lists_cost_the_same_number_of_queries_whatever_their_length(admin, count_queries):
    from tests.factories.registry import townships

    for township in townships()[:30]:
        await create_station(admin, township["code"])

    counter = count_queries()
    response = await admin.get("/v1/stations", params={"page_size": 200})

    assert len(response.json()["items"]) == 30
    assert len(counter.statements) == 2  # the API key, then the page


async def test_timestamps_are_utc(admin):
    station = await create_station(admin)
    assert station["created_at"].endswith("Z")
    assert (await admin.get(f"/v1/stations/{station['id']}")).json() == station


async def test_logs_are_json_lines_carrying_the_request_id(settings):
    import io
    import json

    from service.logging import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("linkage.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    app = create_app(settings.model_copy(update={"access_log": True}))
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                await client.get("/healthz", headers={"X-Request-ID": "log-me-1"})
    finally:
        access.removeHandler(handler)

    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert entry["request_id"] == "log-me-1"
    assert entry["logger"] == "linkage.access"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/healthz", 200)
    assert isinstance(entry["duration_ms"], float)  # a measurement: present, its value free


@pytest.mark.parametrize("wrong", [True, False, "3"], ids=["true", "false", "string"])
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/volunteer-teams", team_body(), "capacity_people"),
        ("/v1/volunteers", volunteer_body(), "hours_per_week"),
        ("/v1/organisations", organisation_body(), "capacity.amount"),
        ("/v1/stations", station_body(QINGBO), "location.lat"),
    ],
)
async def test_a_number_must_be_a_number_not_a_boolean_or_a_string(
    admin, services, path, body, field, wrong
):
    """Pydantic alone would read true, false and "3" as 1, 0 and 3 (Schemathesis caught it)."""
    body = copy.deepcopy(body)
    *parents, name = field.split(".")
    target = body
    for parent in parents:
        target = target[parent]
    target[name] = wrong

    response = await admin.post(path, json=body)

    problem = assert_problem(response, 422, "validation_failed")
    assert f"body.{field}" in [error["field"] for error in problem["errors"]]
    assert (await admin.get(path)).json()["items"] == []
