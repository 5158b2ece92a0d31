"""Per-client rate limits: a default budget, stricter ones for what can be abused, unknown keys
counted by address; RateLimit headers on every answer, 429 with Retry-After past the budget."""

from __future__ import annotations

import re

import httpx
import pytest

from service.domain.access import Scope
from service.http.metrics import Metrics
from service.http.rate_limits import (
    ALLOCATION_RUNS,
    CANDIDATES,
    CONTACT,
    IDENTIFIER_SEARCH,
    SWEEP_SECONDS,
    UNKNOWN_KEYS,
    RateLimiter,
    stricter_policy,
)
from service.main import create_app
from service.settings import Settings
from tests.factories.partners import resident_id
from tests.factories.registry import create_station

POLICY_ITEM = re.compile(r'^"[a-z-]+";q=\d+;w=\d+$')
STATE_ITEM = re.compile(r'^"[a-z-]+";r=\d+;t=\d+$')


def items(header: str) -> dict[str, dict[str, int]]:
    """A structured-field list of `"name";k=v;…` items, parsed."""
    parsed = {}
    for item in header.split(", "):
        name, *params = item.split(";")
        parsed[name.strip('"')] = {k: int(v) for k, v in (p.split("=") for p in params)}
    return parsed


def assert_rate_limited(response: httpx.Response, *policies: str) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["violated_policies"] == list(policies)
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 60
    for policy in policies:  # Retry-After is never earlier than the reset it announces
        assert items(response.headers["RateLimit"])[policy]["r"] == 0
        assert items(response.headers["RateLimit"])[policy]["t"] <= retry_after


async def test_every_authenticated_answer_says_where_the_client_stands(admin, rate_limits):
    rate_limits(default="3/minute")
    for left in (2, 1, 0):
        response = await admin.get("/v1/divisions", params={"page_size": 1})
        assert response.status_code == 200
        policy, state = response.headers["RateLimit-Policy"], response.headers["RateLimit"]
        assert POLICY_ITEM.match(policy) and STATE_ITEM.match(state), (policy, state)
        assert items(policy) == {"default": {"q": 3, "w": 60}}
        assert items(state)["default"]["r"] == left
        assert 0 < items(state)["default"]["t"] <= 60

    refused = await admin.get("/v1/divisions")
    assert_rate_limited(refused, "default")
    missing = await admin.get("/v1/stations/00000000-0000-4000-8000-000000000001")
    assert_rate_limited(missing, "default")  # refused before anything is looked up


async def test_each_client_has_its_own_budget(admin, make_client, rate_limits):
    rate_limits(default="1/minute")
    other = await make_client(Scope.REGISTRY_READ)
    assert (await admin.get("/v1/divisions")).status_code == 200
    assert_rate_limited(await admin.get("/v1/divisions"), "default")
    assert (await other.get("/v1/divisions")).status_code == 200


async def test_the_fast_read_counts_like_any_other(admin, rate_limits):
    station = await create_station(admin)
    rate_limits(default="2/minute")
    url = f"/v1/stations/{station['id']}"
    first = await admin.get(url)
    assert items(first.headers["RateLimit"])["default"]["r"] == 1
    assert (await admin.get(url)).status_code == 200
    assert_rate_limited(await admin.get(url), "default")


async def test_searches_by_identifier_have_a_stricter_budget(make_client, rate_limits):
    rate_limits(identifier_search="2/minute", default="100/minute")
    client = await make_client(Scope.ADMIN, Scope.PII_READ)
    body = {"id_number": resident_id()}
    headers = {"X-Access-Purpose": "verify identity"}
    for path in ("/v1/social-workers/search", "/v1/volunteers/search"):
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 200, response.text
        assert set(items(response.headers["RateLimit-Policy"])) == {"identifier-search", "default"}

    refused = await client.post("/v1/social-workers/search", json=body, headers=headers)
    assert_rate_limited(refused, "identifier-search")
    assert (await client.get("/v1/divisions")).status_code == 200  # the rest goes on


async def test_unknown_keys_are_counted_by_address(app, admin, rate_limits):
    rate_limits(unknown_keys="2/minute")

    def from_address(host: str, key: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(host, 4711)),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {key}"},
        )

    async with from_address("198.51.100.7", "lk_guess") as guesser:
        for _ in range(2):
            response = await guesser.get("/v1/divisions")
            assert response.status_code == 401
            assert items(response.headers["RateLimit"])["unknown-keys"]["r"] >= 0
        assert_rate_limited(await guesser.get("/v1/divisions"), "unknown-keys")
    async with from_address("198.51.100.8", "lk_guess") as elsewhere:
        assert (await elsewhere.get("/v1/divisions")).status_code == 401
    assert (await admin.get("/v1/divisions")).status_code == 200  # known keys are not held up


def test_the_stricter_budgets_apply_to_exactly_these_operations():
    document = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    assigned: dict[str, set[str]] = {}
    for path, operations in document["paths"].items():
        for method in operations:
            policy = stricter_policy(method.upper(), path)
            if policy is not None:
                assigned.setdefault(policy, set()).add(f"{method.upper()} {path}")
    assert assigned == {
        IDENTIFIER_SEARCH: {"POST /v1/social-workers/search", "POST /v1/volunteers/search"},
        CONTACT: {
            "GET /v1/social-workers/{social_worker_id}/contact",
            "GET /v1/volunteers/{volunteer_id}/contact",
        },
        CANDIDATES: {"GET /v1/resource-requests/{request_id}/candidates"},
        ALLOCATION_RUNS: {"POST /v1/allocation-runs"},
    }


def test_every_operation_that_takes_a_key_declares_429():
    document = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "401" in operation["responses"]:
                assert "429" in operation["responses"], f"{method} {path}"
                limited = operation["responses"]["429"]["$ref"].rsplit("/", 1)[1]
                assert "Retry-After" in document["components"]["responses"][limited]["headers"]
    assert "RateLimit-Policy" in document["components"]["headers"]


@pytest.mark.parametrize("unlimited", ["/healthz", "/readyz"])
async def test_probes_are_not_counted(anonymous, unlimited):
    response = await anonymous.get(unlimited)
    assert response.status_code == 200
    assert "RateLimit" not in response.headers


async def test_the_windows_of_addresses_gone_quiet_are_forgotten():
    clock = [0.0]
    limiter = RateLimiter(
        {UNKNOWN_KEYS: "5/minute"}, metrics=Metrics(version="test"), monotonic=lambda: clock[0]
    )
    await limiter.admit_unknown_key({"method": "GET", "client": ("203.0.113.9", 1)})
    store = limiter._memory_store
    [quiet] = list(store.windows)
    store.windows[quiet][1] = 0  # its window has ended

    clock[0] = SWEEP_SECONDS  # a minute on, the next count sweeps
    await limiter.admit_unknown_key({"method": "GET", "client": ("203.0.113.10", 1)})

    assert quiet not in store.windows
    assert len(store.windows) == 1
