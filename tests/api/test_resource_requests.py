"""/v1/resource-requests: posting what a station needs, reading and listing it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.domain.access import Scope
from service.domain.requests import RequestFilter
from tests.api.test_conventions import assert_problem
from tests.factories.registry import (
    BEISHAN,
    QINGBO,
    communities_of,
    create_office,
    create_station,
)
from tests.factories.requests import create_request, instant, request_body, window

URL = "/v1/resource-requests"


async def count(client) -> int:
    return len((await client.get(URL, params={"page_size": 200})).json()["items"])


async def test_posting_a_request(admin):
    station = await create_station(admin)
    body = request_body(station["id"], urgency="high")
    response = await admin.post(URL, json=body)

    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"{URL}/{created['id']}"
    assert response.headers["etag"] == '"1"'
    assert created["status"] == "open"
    assert created["district_code"] == "330106"
    assert created["division_code"] == BEISHAN
    assert created["office_id"] is None
    assert (created["quantity"], created["unit"]) == (5, "people")
    assert (created["committed_quantity"], created["fulfilled_quantity"]) == (0, 0)
    assert created["quantity_left"] == 5
    assert created["urgency"] == "high"
    assert created["required_skills"] == ["home_visits", "companionship"]
    assert created["location"] == {"lat": 30.2590, "lon": 120.1450}
    starts_at = datetime.fromisoformat(created["window"]["starts_at"])
    assert created["window"]["starts_at"].endswith("Z")  # stored and shown in UTC
    assert starts_at == datetime.fromisoformat(body["window"]["starts_at"])
    assert created["version"] == 1
    assert (await admin.get(response.headers["location"])).json() == created


async def test_defaults_and_a_community_office(admin):
    station = await create_station(admin)
    community = communities_of(BEISHAN)[0]["code"]
    office = await create_office(admin, community)
    body = request_body(station["id"], office_id=office["id"], division_code=community)
    for field in ("description", "required_skills", "target_groups", "location", "urgency"):
        body.pop(field)

    response = await admin.post(URL, json=body)

    assert response.status_code == 201, response.text
    created = response.json()
    assert created["office_id"] == office["id"]
    assert created["division_code"] == community
    assert created["urgency"] == "normal"
    assert created["description"] is None and created["location"] is None
    assert created["required_skills"] == created["target_groups"] == []


async def test_idempotent_posting(admin):
    station = await create_station(admin)
    body, headers = request_body(station["id"]), {"Idempotency-Key": "need-1"}
    first = await admin.post(URL, json=body, headers=headers)
    again = await admin.post(URL, json=body, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await count(admin) == 1


NOW = datetime.now(UTC).replace(microsecond=0)


def later(days: float, *, seconds: int = 0) -> str:
    return instant(NOW + timedelta(days=days, seconds=seconds))


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"unit": "yuan"}, "unit", "unit_not_allowed"),
        ({"category": "funds"}, "unit", "unit_not_allowed"),  # people are not money
        (
            {"window": {"starts_at": later(3), "ends_at": later(2)}},
            "window.ends_at",
            "window_ends_before_start",
        ),
        (
            {"window": {"starts_at": later(1), "ends_at": later(1)}},
            "window.ends_at",
            "window_ends_before_start",
        ),
        (
            {"window": {"starts_at": later(1), "ends_at": later(367, seconds=1)}},
            "window.ends_at",
            "window_too_long",
        ),
        (
            {"window": {"starts_at": later(-3), "ends_at": later(-1)}},
            "window.ends_at",
            "window_in_past",
        ),
        ({"division_code": "330106004"}, "division_code", "division_outside_station"),
        ({"division_code": QINGBO}, "division_code", "division_outside_station"),
        ({"division_code": "330106004053"}, "division_code", "division_outside_station"),
        ({"division_code": "330106002999"}, "division_code", "unknown_division"),
        ({"location": {"lat": 31.23, "lon": 121.47}}, "location", "location_outside_hangzhou"),
        ({"station_id": "00000000-0000-4000-8000-000000000000"}, "station_id", "unknown_station"),
        ({"office_id": "00000000-0000-4000-8000-000000000000"}, "office_id", "unknown_office"),
        # the schema's own refusals
        ({"window": {"starts_at": "2030-01-01T09:00:00", "ends_at": later(9)}}, None, None),
        ({"window": {"starts_at": later(1), "ends_at": 1893456000}}, None, None),
        ({"window": {"starts_at": later(1), "ends_at": "9999-12-31T23:59:59-05:00"}}, None, None),
        ({"window": {"starts_at": "0001-01-01T00:00:00+14:00", "ends_at": later(1)}}, None, None),
        ({"window": {"starts_at": later(1), "ends_at": "2030-02-30T09:00:00Z"}}, None, None),
        ({"window": {"starts_at": later(1)}}, "body.window.ends_at", None),
        ({"quantity": 0}, "body.quantity", None),
        ({"quantity": -3}, "body.quantity", None),
        ({"quantity": 10**10}, "body.quantity", None),
        ({"quantity": 10**30}, "body.quantity", None),
        ({"quantity": "5"}, "body.quantity", None),
        ({"quantity": 2.5}, "body.quantity", None),
        ({"quantity": True}, "body.quantity", None),
        ({"unit": "litres"}, "body.unit", None),
        ({"category": "anything"}, "body.category", None),
        ({"urgency": "asap"}, "body.urgency", None),
        ({"required_skills": ["juggling"]}, "body.required_skills[0]", None),
        ({"target_groups": ["everyone"]}, "body.target_groups[0]", None),
        ({"title": "探访\x00"}, "body.title", None),
        ({"title": "x" * 129}, "body.title", None),
        ({"title": "  "}, "body.title", None),
        ({"description": "一\x00二"}, "body.description", None),
        ({"description": "y" * 2001}, "body.description", None),
        ({"division_code": "330106"}, "body.division_code", None),  # a district is too wide
        ({"division_code": "110101001"}, "body.division_code", None),  # not Hangzhou
        ({"location": {"lat": 91, "lon": 120}}, "body.location.lat", None),
        ({"status": "committed"}, "body.status", None),
        ({"committed_quantity": 3}, "body.committed_quantity", None),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(admin, overrides, field, code):
    station = await create_station(admin)
    response = await admin.post(URL, json=request_body(station["id"], **overrides))

    problem = assert_problem(response, 422, code or "validation_failed")
    fields = [error["field"] for error in problem["errors"]]
    if field is not None:
        assert field in fields
    else:  # a window instant: named, never read as something else
        assert any(name.startswith("body.window.") for name in fields), fields
    assert await count(admin) == 0


async def test_a_window_of_exactly_366_days_is_accepted(admin):
    station = await create_station(admin)
    starts_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    span = {"starts_at": instant(starts_at), "ends_at": instant(starts_at + timedelta(days=366))}
    created = await create_request(admin, station["id"], window=span)
    assert created["window"]["ends_at"].endswith("Z")


async def test_an_office_of_another_station_is_refused(admin):
    station = await create_station(admin)
    elsewhere = await create_station(admin, QINGBO)
    office = await create_office(admin, communities_of(QINGBO)[0]["code"])
    assert office["station_id"] == elsewhere["id"]

    response = await admin.post(URL, json=request_body(station["id"], office_id=office["id"]))

    problem = assert_problem(response, 422, "office_of_another_station")
    assert problem["errors"][0]["field"] == "office_id"


async def test_a_station_bound_client_posts_only_for_its_own_station(admin, make_client):
    own = await create_station(admin)
    other = await create_station(admin, QINGBO)
    bound = await make_client(Scope.REQUESTS_WRITE, Scope.REQUESTS_READ, station_id=own["id"])

    refused = await bound.post(URL, json=request_body(other["id"], division_code=QINGBO))
    assert_problem(refused, 403, "outside_station_binding")
    assert await count(admin) == 0

    assert (await bound.post(URL, json=request_body(own["id"]))).status_code == 201


async def test_scopes(admin, make_client):
    station = await create_station(admin)
    registry = await make_client(Scope.REGISTRY_WRITE, Scope.REGISTRY_READ)
    reader = await make_client(Scope.REQUESTS_READ)

    problem = assert_problem(
        await registry.post(URL, json=request_body(station["id"])), 403, "insufficient_scope"
    )
    assert problem["required_scope"] == "requests:write"
    assert_problem(
        await reader.post(URL, json=request_body(station["id"])), 403, "insufficient_scope"
    )
    assert_problem(await registry.get(URL), 403, "insufficient_scope")
    assert (await reader.get(URL)).status_code == 200


async def test_reading_one_with_its_etag(admin, make_client):
    station = await create_station(admin)
    created = await create_request(admin, station["id"])
    url = f"{URL}/{created['id']}"

    response = await admin.get(url)
    assert response.headers["etag"] == '"1"'
    unchanged = await admin.get(url, headers={"If-None-Match": '"1"'})
    assert unchanged.status_code == 304
    assert_problem(await admin.get(f"{URL}/00000000-0000-4000-8000-000000000000"), 404, "not_found")
    assert_problem(await admin.get(f"{URL}/not-a-uuid"), 404, "not_found")

    other = await create_station(admin, QINGBO)
    stranger = await make_client(Scope.REQUESTS_READ, station_id=other["id"])
    assert_problem(await stranger.get(url), 404, "not_found")
    own = await make_client(Scope.REQUESTS_READ, station_id=station["id"])
    assert (await own.get(url)).status_code == 200


async def test_filters(admin):
    beishan = await create_station(admin)
    qingbo = await create_station(admin, QINGBO)
    visits = await create_request(admin, beishan["id"])
    funds = await create_request(
        admin,
        qingbo["id"],
        division_code=QINGBO,
        category="funds",
        unit="yuan",
        quantity=20000,
        urgency="critical",
        window=window(timedelta(days=20), timedelta(days=10)),
    )
    await admin.post(f"{URL}/{funds['id']}/cancel")

    async def titles(**params):
        response = await admin.get(URL, params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await titles() == [visits["id"], funds["id"]]  # window order
    assert await titles(station_id=qingbo["id"]) == [funds["id"]]
    assert await titles(district_code="330106") == [visits["id"]]
    assert await titles(district_code="330102") == [funds["id"]]
    assert await titles(district_code="330110") == []
    assert await titles(status="open") == [visits["id"]]
    assert await titles(status="cancelled") == [funds["id"]]
    assert await titles(category="funds") == [funds["id"]]
    assert await titles(urgency="critical") == [funds["id"]]
    assert await titles(urgency="normal") == [visits["id"]]

    # windows overlapping [from, to): visits runs days 1–8, funds days 20–30
    assert await titles(window_from=later(8.5)) == [funds["id"]]
    assert await titles(window_to=later(2)) == [visits["id"]]
    assert await titles(window_from=later(5), window_to=later(21)) == [visits["id"], funds["id"]]
    assert await titles(window_from=later(9), window_to=later(19)) == []
    touching = visits["window"]["ends_at"]  # a window ending when the range starts is not in it
    assert await titles(window_from=touching, window_to=later(15)) == []
    assert await titles(window_from=later(0), window_to=funds["window"]["starts_at"]) == [
        visits["id"]
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"window_from": "2026-01-01T09:00:00"},  # naive
        {"window_from": "1767225600"},  # a bare number
        {"window_to": "9999-12-31T23:59:59-05:00"},
        {"window_to": "0001-01-01T00:00:00+14:00"},
        {"window_from": "2026-02-30T00:00:00Z"},
        {"window_from": "2026-03-02T00:00:00Z", "window_to": "2026-03-01T00:00:00Z"},
        {"window_from": "2026-03-01T00:00:00Z", "window_to": "2026-03-01T00:00:00Z"},
        {"status": "pending"},
        {"category": "x"},
        {"urgency": "now"},
        {"district_code": "330106002"},
        {"station_id": "nope"},
        {"q": "something"},
    ],
)
async def test_bad_query_parameters_are_400(admin, params):
    response = await admin.get(URL, params=params)
    problem = assert_problem(
        response, 400, "unknown_query_parameter" if "q" in params else "invalid_parameter"
    )
    if "q" not in params:
        named = {error["field"] for error in problem["errors"]}
        assert named & {f"query.{name}" for name in params}, named


async def test_pages_follow_the_window_then_the_id(admin):
    station = await create_station(admin)
    same = window(timedelta(days=3))
    made = [await create_request(admin, station["id"], window=same) for _ in range(3)]
    made += [
        await create_request(admin, station["id"], window=window(timedelta(days=day)))
        for day in (5, 1)
    ]
    expected = [made[4]["id"], *sorted(r["id"] for r in made[:3]), made[3]["id"]]

    seen, token = [], None
    while True:
        params = {"page_size": 2} | ({"page_token": token} if token else {})
        page = (await admin.get(URL, params=params)).json()
        seen += [item["id"] for item in page["items"]]
        if (token := page["next_page_token"]) is None:
            break
    assert seen == expected

    first = (await admin.get(URL, params={"page_size": 2})).json()
    mismatch = await admin.get(
        URL, params={"page_size": 2, "page_token": first["next_page_token"], "status": "open"}
    )
    assert_problem(mismatch, 400, "page_token_filter_mismatch")


@pytest.mark.parametrize(
    "key",
    [
        '["2026-01-01T00:00:00", "00000000-0000-4000-8000-000000000000"]',  # naive
        '["9999-12-31T23:59:59-05:00", "00000000-0000-4000-8000-000000000000"]',
        '["yesterday", "00000000-0000-4000-8000-000000000000"]',
        '["2026-01-01T00:00:00+00:00", "not-a-uuid"]',
    ],
)
async def test_a_malformed_key_in_a_signed_token_reads_as_the_first_page(app, admin, key):
    station = await create_station(admin)
    await create_request(admin, station["id"])
    token = app.state.page_tokens.sign(collection=URL, after=key, filters=RequestFilter())

    response = await admin.get(URL, params={"page_token": token})

    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == 1


async def test_a_station_bound_client_lists_only_its_own(admin, make_client):
    beishan = await create_station(admin)
    qingbo = await create_station(admin, QINGBO)
    own = await create_request(admin, beishan["id"])
    await create_request(admin, qingbo["id"], division_code=QINGBO)
    bound = await make_client(Scope.REQUESTS_READ, station_id=beishan["id"])

    listed = (await bound.get(URL)).json()["items"]
    assert [item["id"] for item in listed] == [own["id"]]
    assert (await bound.get(URL, params={"station_id": qingbo["id"]})).json()["items"] == []


async def test_a_page_is_one_query(admin, count_queries):
    station = await create_station(admin)
    for _ in range(12):
        await create_request(admin, station["id"])

    counter = count_queries()
    response = await admin.get(URL, params={"page_size": 200, "status": "open"})

    assert len(response.json()["items"]) == 12
    assert len(counter.statements) == 2  # the API key, then the page
