"""GET /v1/resource-requests/{id}/candidates: hard filters in SQL, explained scores, reasons."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from service.db.tables import OfferRecord, ResourceRequestRecord
from service.domain.access import Scope
from tests.factories.graph import create_linkage
from tests.factories.partners import create_organisation, uscc
from tests.factories.people import create_social_worker
from tests.factories.registry import BEISHAN, QINGBO, create_station
from tests.factories.volunteers import create_resource, create_team, create_volunteer

COMMUNITY = "330106002051"  # 北山街道 上保社区
# Saturday 5 December 2026, 09:30–11:30 in Hangzhou (UTC+8)
SATURDAY_MORNING = (
    datetime(2026, 12, 5, 1, 30, tzinfo=UTC),
    datetime(2026, 12, 5, 3, 30, tzinfo=UTC),
)


async def add_request(services, station_id: str, **overrides: Any) -> str:
    starts_at, ends_at = SATURDAY_MORNING
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "station_id": uuid.UUID(station_id),
        "district_code": "330106",
        "division_code": COMMUNITY,
        "title": "独居老人上门探访",
        "category": "volunteer_service",
        "required_skills": ["home_visits"],
        "target_groups": ["elderly"],
        "quantity": 3,
        "unit": "people",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "urgency": "normal",
        "status": "open",
        "created_at": services.clock(),
        "updated_at": services.clock(),
    } | overrides
    async with services.database.session() as session:
        session.add(ResourceRequestRecord(**values))
        await session.commit()
    return str(values["id"])


async def book(services, station: dict, volunteer: dict, request_id: str) -> None:
    """An accepted offer of the volunteer for the request, on Saturday morning."""
    starts_at, ends_at = SATURDAY_MORNING
    async with services.database.session() as session:
        session.add(
            OfferRecord(
                request_id=uuid.UUID(request_id),
                station_id=uuid.UUID(station["id"]),
                provider_type="volunteer",
                provider_id=uuid.UUID(volunteer["id"]),
                quantity=1,
                status="accepted",
                starts_at=starts_at,
                ends_at=ends_at,
                expires_at=starts_at,
                created_at=services.clock(),
                updated_at=services.clock(),
            )
        )
        await session.commit()


def removed(body: dict, provider_type: str) -> dict[str, int]:
    return {
        row["filter"]: row["removed"]
        for row in body["removed"]
        if row["provider_type"] == provider_type
    }


@pytest.fixture
async def station(admin) -> dict:
    return await create_station(admin, BEISHAN)


async def candidates(client, request_id: str, **params) -> dict:
    response = await client.get(f"/v1/resource-requests/{request_id}/candidates", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_volunteers_are_filtered_in_sql_and_ranked_with_their_reasons(
    admin, services, station
):
    skilled = await create_volunteer(admin, name="甲")
    unskilled = await create_volunteer(admin, name="乙", skills=["driving"])
    tuesday_only = await create_volunteer(
        admin,
        name="丙",
        availability={"weekly": [{"weekday": 2, "start": "09:00", "end": "12:00"}]},
    )
    afternoon_only = await create_volunteer(
        admin,
        name="丁",
        availability={"weekly": [{"weekday": 6, "start": "14:00", "end": "17:00"}]},
    )
    elsewhere = await create_volunteer(
        admin, name="戊", service_area=["330102"], home_location=None
    )
    resting = await create_volunteer(admin, name="己", status="inactive")
    request_id = await add_request(services, station["id"])

    body = await candidates(admin, request_id)

    ranked = [(c["provider_id"], c["provider_type"]) for c in body["candidates"]]
    assert ranked[:1] == [(skilled["id"], "volunteer")]
    assert [c["name"] for c in body["candidates"][:1]] == ["*"]  # no pii:read: masked
    found = {c["provider_id"] for c in body["candidates"]}
    assert not found & {
        v["id"] for v in (unskilled, tuesday_only, afternoon_only, elsewhere, resting)
    }
    counts = removed(body, "volunteer")
    assert counts["active"] == 1
    assert counts["area"] == 1
    assert counts["skills"] == 1  # required skills are required (issue 8)
    assert counts["availability"] == 2  # a Tuesday slot (SQL); an afternoon slot (exact check)
    best = body["candidates"][0]
    parts = {part["component"]: part for part in best["components"]}
    assert parts["skill_coverage"]["value"] == 1.0
    assert parts["proximity"]["value"] == 1.0
    assert parts["reliability"]["value"] == pytest.approx(0.7)  # a newcomer gets the prior
    assert sum(part["contribution"] for part in best["components"]) == pytest.approx(
        best["score"], abs=1e-4
    )
    assert body["quantity_left"] == 3
    del skilled, unskilled, tuesday_only, afternoon_only, elsewhere, resting


async def test_a_booked_volunteer_has_no_capacity_in_an_overlapping_window(
    admin, services, station
):
    volunteer = await create_volunteer(admin, name="甲")
    first = await add_request(services, station["id"])
    second = await add_request(services, station["id"], title="另一场")
    await book(services, station, volunteer, first)

    body = await candidates(admin, second)

    assert body["candidates"] == []
    assert removed(body, "volunteer")["capacity"] == 1


async def test_nobody_to_serve_is_an_empty_list_with_a_reason_per_filter(admin, services, station):
    request_id = await add_request(services, station["id"], division_code="330106004")
    body = await candidates(admin, request_id)
    assert body["candidates"] == []
    assert {row["provider_type"] for row in body["removed"]} == {
        "volunteer",
        "volunteer_team",
        "organisation",
    }
    assert [row["filter"] for row in body["removed"] if row["provider_type"] == "volunteer"] == [
        "kind",
        "active",
        "area",
        "availability",
        "capacity",
        "qualification",
        "skills",
    ]


async def test_funds_come_from_charity_resources_of_the_right_kind_and_unit(
    admin, services, station
):
    charity = await create_organisation(
        admin, uscc=uscc("53"), kind="foundation", service_categories=["funds"], capacity=None
    )
    counted_in_people = await create_organisation(
        admin, name="只按人数计的基金会", uscc=uscc("53"), service_categories=["funds"]
    )
    funds = await create_resource(admin, charity["id"], title="助餐基金")
    await create_resource(
        admin, charity["id"], title="爱心物资", kind="goods", unit="items", total_quantity=100
    )
    await create_resource(
        admin, charity["id"], title="去年的基金", valid_from="2025-01-01", valid_until="2025-12-31"
    )
    request_id = await add_request(
        services,
        station["id"],
        category="funds",
        unit="yuan",
        quantity=20_000,
        required_skills=[],
    )

    body = await candidates(admin, request_id)

    found = {(c["provider_type"], c["name"]): c for c in body["candidates"]}
    assert ("charity_resource", "助餐基金") in found
    assert found[("charity_resource", "助餐基金")]["capacity_left"] == 20_000
    assert ("organisation", charity["name"]) in found  # it offers funds and covers 西湖区
    counts = removed(body, "charity_resource")
    assert counts["kind"] == 1  # goods
    assert counts["availability"] == 1  # valid only last year
    assert removed(body, "organisation")["capacity"] == 1  # its capacity is in people, not yuan
    del funds, counted_in_people


async def test_professional_service_needs_certified_workers_and_agencies(admin, services, station):
    certified = await create_social_worker(admin, name="持证社工")
    await create_social_worker(
        admin, name="未持证", certificate_level="none", certificate_number=None
    )
    agency = await create_organisation(admin, name="社工机构")
    await create_organisation(
        admin,
        name="普通社会组织",
        uscc=uscc("51"),
        kind="social_organisation",
        is_social_work_agency=False,
    )
    request_id = await add_request(
        services,
        station["id"],
        category="professional_service",
        unit="people",
        quantity=1,
        required_skills=[],
    )

    body = await candidates(admin, request_id)

    names = {c["name"] for c in body["candidates"]}
    assert {"持**工", "社工机构"} <= names  # a person's name masked, an organisation's not
    assert not names & {"未*证", "普通社会组织"}
    assert removed(body, "social_worker")["qualification"] == 1
    assert removed(body, "organisation")["qualification"] == 1
    del certified, agency


async def test_a_linked_partner_scores_the_linkage_component(admin, services, station):
    linked = await create_organisation(admin, name="已结对机构")
    other = await create_organisation(admin, name="未结对机构", uscc=uscc("52"))
    await create_linkage(
        admin,
        station_id=station["id"],
        partner_type="organisation",
        partner_id=linked["id"],
        kind="resource_partner",
    )
    request_id = await add_request(services, station["id"], required_skills=["casework"])

    body = await candidates(admin, request_id)

    by_name = {
        c["name"]: {p["component"]: p["value"] for p in c["components"]} for c in body["candidates"]
    }
    assert by_name["已结对机构"]["linkage"] == 1.0
    assert by_name["未结对机构"]["linkage"] == 0.0
    assert body["candidates"][0]["name"] == "已结对机构"
    del other


async def test_who_may_ask(admin, services, station, make_client):
    other = await create_station(admin, QINGBO)
    request_id = await add_request(services, station["id"])
    own = await make_client(Scope.REQUESTS_READ, station_id=station["id"])
    foreign = await make_client(Scope.REQUESTS_READ, station_id=other["id"])
    registry_only = await make_client(Scope.REGISTRY_READ)

    assert (await own.get(f"/v1/resource-requests/{request_id}/candidates")).status_code == 200
    hidden = await foreign.get(f"/v1/resource-requests/{request_id}/candidates")
    assert hidden.status_code == 404
    assert (
        await registry_only.get(f"/v1/resource-requests/{request_id}/candidates")
    ).status_code == 403
    unknown = await admin.get(f"/v1/resource-requests/{uuid.uuid4()}/candidates")
    assert unknown.status_code == 404


async def test_a_request_no_longer_open_is_not_matched(admin, services, station):
    request_id = await add_request(services, station["id"], status="cancelled")
    response = await admin.get(f"/v1/resource-requests/{request_id}/candidates")
    assert response.status_code == 409
    assert response.json()["current_status"] == "cancelled"


@pytest.mark.parametrize("limit", [0, 101, "many"])
async def test_limit_is_bounded(admin, services, station, limit):
    request_id = await add_request(services, station["id"])
    response = await admin.get(
        f"/v1/resource-requests/{request_id}/candidates", params={"limit": limit}
    )
    assert response.status_code == 400


async def test_the_search_costs_a_fixed_number_of_queries(admin, services, station, count_queries):
    for index in range(12):
        await create_volunteer(admin, name=f"志愿者{index}")
    request_id = await add_request(services, station["id"])

    counter = count_queries()
    body = await candidates(admin, request_id, limit=5)

    assert len(body["candidates"]) == 5
    # the key, the request, then per registry (volunteer, team, organisation): counts and rows
    assert len(counter.statements) <= 2 + 3 * 3


@pytest.mark.parametrize(
    ("category", "unit"), [("volunteer_service", "people"), ("professional_service", "people")]
)
async def test_the_batch_search_finds_exactly_what_the_explained_one_does(
    admin, services, station, category, unit
):
    """Allocation runs use the lean statement (no counts); it must pass the same providers."""
    from service.usecases.matching import load_request, search

    await create_volunteer(admin, name="甲")
    await create_volunteer(admin, name="乙", skills=["driving"])
    await create_volunteer(
        admin,
        name="丙",
        availability={"weekly": [{"weekday": 2, "start": "09:00", "end": "12:00"}]},
    )
    await create_volunteer(admin, name="己", status="inactive")
    booked = await create_volunteer(admin, name="庚")
    await create_social_worker(admin, name="持证社工")
    await create_social_worker(
        admin, name="未持证", certificate_level="none", certificate_number=None
    )
    await create_organisation(admin, name="社工机构")
    other = await add_request(services, station["id"], title="另一场")
    request_id = await add_request(
        services, station["id"], category=category, unit=unit, required_skills=[]
    )
    await book(services, station, booked, other)

    async with services.database.read() as reader:
        row = await load_request(reader, uuid.UUID(request_id), admin_caller(admin))
        explained = await search(reader, services, row, limit=20)
        lean = await search(reader, services, row, limit=20, counted=False)

    assert explained.candidates  # the scenario has someone to find
    assert lean.candidates == explained.candidates
    assert lean.removed == []


def admin_caller(client):
    from service.domain.access import Caller

    return Caller(client_id=client.client_id, name="admin", scopes=frozenset({Scope.ADMIN}))


async def test_searching_many_requests_at_once_finds_what_one_by_one_does(admin, services, station):
    """Allocation runs search their requests together (on PostgreSQL one statement per registry
    and request shape); each request must get exactly its own search's candidates."""
    from service.usecases.matching import load_request, search, search_each

    await create_volunteer(admin, name="甲")
    await create_volunteer(admin, name="乙", skills=["home_visits", "driving"])
    await create_volunteer(
        admin,
        name="丙",
        availability={"weekly": [{"weekday": 2, "start": "09:00", "end": "12:00"}]},
    )
    await create_volunteer(admin, name="丁", status="inactive")
    await create_team(admin)
    await create_social_worker(admin, name="持证社工")
    charity = await create_organisation(
        admin, uscc=uscc("53"), kind="foundation", service_categories=["funds"], capacity=None
    )
    await create_resource(admin, charity["id"], title="助餐基金")
    await create_organisation(admin, name="社工机构")
    tuesday = (
        datetime(2026, 12, 8, 1, 0, tzinfo=UTC),
        datetime(2026, 12, 8, 3, 0, tzinfo=UTC),
    )
    request_ids = [
        await add_request(services, station["id"]),
        await add_request(
            services, station["id"], title="周二", starts_at=tuesday[0], ends_at=tuesday[1]
        ),
        await add_request(services, station["id"], required_skills=["home_visits", "driving"]),
        await add_request(services, station["id"], division_code="330106002"),
        await add_request(
            services,
            station["id"],
            category="funds",
            unit="yuan",
            quantity=20_000,
            required_skills=[],
        ),
        await add_request(
            services,
            station["id"],
            category="professional_service",
            unit="people",
            quantity=1,
            required_skills=[],
        ),
    ]

    caller = admin_caller(admin)
    async with services.database.read() as reader:
        rows = [await load_request(reader, uuid.UUID(r), caller) for r in request_ids]
        together = await search_each(reader, services, rows, limit=20)
        one_by_one = {
            row["id"]: (await search(reader, services, row, limit=20, counted=False)).candidates
            for row in rows
        }

    assert together == one_by_one
    assert all(one_by_one.values())  # every request has someone to find
    assert {c.provider_type for found in together.values() for c in found} >= {
        "volunteer",
        "volunteer_team",
        "social_worker",
        "charity_resource",
        "organisation",
    }
