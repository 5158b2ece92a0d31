"""Issue 8, "Matching that keeps its word": each of the seven failures a district's month found,
with its own figures, and what the station is now told instead.

Every expected figure is worked out here, by hand or by a formula of the test's own (the
spherical law of cosines for distances), never by the service's functions. Dates are taken a
week or more ahead (the service refuses offers whose hold would already have run out), on the
weekdays the issue names.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from service.db.tables import ResourceRequestRecord
from service.domain.access import Scope
from tests.factories.partners import create_organisation, uscc
from tests.factories.people import create_social_worker
from tests.factories.registry import BEISHAN, create_station
from tests.factories.volunteers import create_resource, create_volunteer
from tests.support.feed import settled

HANGZHOU = timezone(timedelta(hours=8))
COMMUNITY = "330106002051"  # 北山街道 上保社区


def week_ahead() -> date:
    """The Monday of the first whole week at least seven days from now (Hangzhou's calendar)."""
    today = datetime.now(HANGZHOU).date() + timedelta(days=7)
    return today + timedelta(days=(7 - today.weekday()) % 7)


MONDAY = week_ahead()
TUESDAY, THURSDAY = MONDAY + timedelta(days=1), MONDAY + timedelta(days=3)
SATURDAY, SUNDAY = MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Hangzhou wall-clock time, as the UTC instant the service stores."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HANGZHOU).astimezone(UTC)


def law_of_cosines_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a sphere of the IUGG mean radius, by the spherical law of
    cosines (not the haversine the service uses): the two agree to well under a metre here."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cosine = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0088 * math.acos(min(1.0, cosine))


async def insert_request(services, station_id: str, **overrides: Any) -> str:
    """A request row as the requests API stores it (its window may be any time)."""
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "station_id": uuid.UUID(station_id),
        "district_code": "330106",
        "division_code": COMMUNITY,
        "title": "独居老人上门探访",
        "category": "volunteer_service",
        "required_skills": ["home_visits"],
        "target_groups": ["elderly"],
        "quantity": 1,
        "unit": "people",
        "starts_at": at(SATURDAY, 9, 30),
        "ends_at": at(SATURDAY, 11, 30),
        "urgency": "normal",
        "status": "open",
        "created_at": services.clock(),
        "updated_at": services.clock(),
    } | overrides
    async with services.database.session() as session:
        session.add(ResourceRequestRecord(**values))
        await session.commit()
    return str(values["id"])


async def candidates(client, request_id: str, **params: Any) -> dict:
    response = await client.get(f"/v1/resource-requests/{request_id}/candidates", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def removed(body: dict, provider_type: str) -> dict[str, int]:
    return {
        r["filter"]: r["removed"] for r in body["removed"] if r["provider_type"] == provider_type
    }


def ids(body: dict) -> set[str]:
    return {c["provider_id"] for c in body["candidates"]}


def offers_url(request_id: str) -> str:
    return f"/v1/resource-requests/{request_id}/offers"


@pytest.fixture
async def station(admin) -> dict:
    return await create_station(admin, BEISHAN)


# --- 1. the radius is a circle, not a box -------------------------------------------------------


async def test_1_a_volunteer_beyond_the_radius_is_no_candidate_however_the_box_lies(
    admin, services, station
):
    # lives in 上城区 and serves only there: only the radius could make them a candidate
    far = await create_volunteer(
        admin, name="远", service_area=["330102"], home_location={"lat": 30.24, "lon": 120.12}
    )
    near = await create_volunteer(
        admin, name="近", service_area=["330102"], home_location={"lat": 30.25, "lon": 120.14}
    )
    request_id = await insert_request(services, station["id"], lat=30.262, lon=120.150)

    body = await candidates(admin, request_id)

    far_km = law_of_cosines_km(30.262, 120.150, 30.24, 120.12)
    near_km = law_of_cosines_km(30.262, 120.150, 30.25, 120.14)
    assert 3.7 < far_km < 3.8 and near_km < 3.0  # the 3.78 km; radius 3 km
    assert far["id"] not in ids(body)
    assert removed(body, "volunteer")["area"] >= 1
    [shown] = [c for c in body["candidates"] if c["provider_id"] == near["id"]]
    assert shown["distance_km"] == pytest.approx(near_km, abs=0.001)
    distance = next(p for p in shown["components"] if p["component"] == "distance")
    assert distance["value"] == pytest.approx(math.exp(-near_km / 5), abs=1e-5)


# --- 2. an exception can make someone available ------------------------------------------------


async def test_2_an_exception_making_a_day_available_is_honoured(admin, services, station):
    monday_only = {"weekly": [{"weekday": 1, "start": "08:00", "end": "18:00"}]}
    helper = await create_volunteer(
        admin,
        name="周日来",
        availability=monday_only
        | {"exceptions": [{"date": SUNDAY.isoformat(), "available": True}]},
    )
    await create_volunteer(admin, name="只周一", availability=monday_only | {"exceptions": []})
    request_id = await insert_request(
        services, station["id"], starts_at=at(SUNDAY, 9), ends_at=at(SUNDAY, 11)
    )

    body = await candidates(admin, request_id)

    assert ids(body) == {helper["id"]}
    assert removed(body, "volunteer")["availability"] == 1  # the one without the exception


# --- 3. dates are Hangzhou's -------------------------------------------------------------------


async def test_3_a_fund_valid_from_the_day_serves_a_request_early_that_morning(
    admin, services, station
):
    foundation = await create_organisation(
        admin, uscc=uscc("53"), kind="foundation", service_categories=["funds"], capacity=None
    )
    fund = await create_resource(
        admin,
        foundation["id"],
        title="新年助餐基金",
        valid_from=TUESDAY.isoformat(),
        valid_until=(TUESDAY + timedelta(days=60)).isoformat(),
    )
    # 07:00–07:45 in Hangzhou is 23:00–23:45 on Monday in UTC
    starts_at = at(TUESDAY, 7)
    assert starts_at.date() == MONDAY  # what the old code compared with valid_from
    request_id = await insert_request(
        services,
        station["id"],
        category="funds",
        unit="yuan",
        quantity=500,
        required_skills=[],
        starts_at=starts_at,
        ends_at=at(TUESDAY, 7, 45),
    )

    body = await candidates(admin, request_id)

    assert fund["id"] in ids(body)
    assert removed(body, "charity_resource")["availability"] == 0


# --- 4. what candidates promise, acceptance honours ---------------------------------------------


async def test_4_goods_promised_for_tuesday_leave_the_rest_for_thursday(admin, services, station):
    giver = await create_organisation(
        admin, uscc=uscc("53"), kind="foundation", service_categories=["goods"], capacity=None
    )
    goods = await create_resource(
        admin,
        giver["id"],
        title="冬季棉被",
        kind="goods",
        unit="items",
        total_quantity=280,
        valid_from=MONDAY.isoformat(),
        valid_until=(MONDAY + timedelta(days=60)).isoformat(),
    )
    as_goods = {"category": "goods", "unit": "items", "required_skills": []}
    tuesday = await insert_request(
        services,
        station["id"],
        quantity=60,
        starts_at=at(TUESDAY, 9),
        ends_at=at(TUESDAY, 11),
        **as_goods,
    )
    named = {"providers": [{"provider_type": "charity_resource", "provider_id": goods["id"]}]}
    first = await admin.post(offers_url(tuesday), json=named)
    assert first.status_code == 201, first.text
    accepted = await admin.post(f"/v1/offers/{first.json()['items'][0]['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    thursday = await insert_request(
        services,
        station["id"],
        quantity=250,
        starts_at=at(THURSDAY, 9),
        ends_at=at(THURSDAY, 11),
        **as_goods,
    )

    body = await candidates(admin, thursday)

    [shown] = [c for c in body["candidates"] if c["provider_id"] == goods["id"]]
    assert shown["capacity_left"] == 280 - 60  # consumed whatever the window: 220, not 250
    too_much = await admin.post(
        offers_url(thursday),
        json={"providers": [named["providers"][0] | {"quantity": 250}]},
    )
    assert (too_much.status_code, too_much.json()["code"]) == (422, "quantity_exceeds_capacity")
    offered = await admin.post(offers_url(thursday), json=named)  # the default quantity
    assert offered.status_code == 201, offered.text
    assert offered.json()["items"][0]["quantity"] == 220
    taken = await admin.post(f"/v1/offers/{offered.json()['items'][0]['id']}/accept")
    assert taken.status_code == 200, taken.text


# --- 5. holds let go --------------------------------------------------------------------------


async def test_5_once_four_of_thirty_accept_the_other_proposals_lapse_at_once(
    admin, services, station, make_client
):
    volunteers = [await create_volunteer(admin, name=f"志愿{n}") for n in range(30)]
    request_id = await insert_request(services, station["id"], quantity=4)
    made = await admin.post(offers_url(request_id), json={"top": 30, "expires_in_hours": 48})
    assert made.status_code == 201, made.text
    offers = made.json()["items"]
    assert len(offers) == 30

    for offer in offers[:4]:
        response = await admin.post(f"/v1/offers/{offer['id']}/accept")
        assert response.status_code == 200, response.text

    listed = (
        await admin.get("/v1/offers", params={"request_id": request_id, "page_size": 50})
    ).json()
    by_status: dict[tuple[str, str | None], int] = {}
    for item in listed["items"]:
        key = (item["status"], item["lapse_reason"])
        by_status[key] = by_status.get(key, 0) + 1
    assert by_status == {("accepted", None): 4, ("expired", "request_committed"): 26}
    late = await admin.post(f"/v1/offers/{offers[4]['id']}/accept")
    assert (late.status_code, late.json()["code"]) == (409, "request_fully_committed")
    # each lapse is an event of the change feed, as any change of an offer's status
    reader = await make_client(Scope.EVENTS_READ)
    await settled(services)
    events: list[dict] = []
    params: dict[str, Any] = {"limit": 200}
    while True:
        page = (await reader.get("/v1/events", params=params)).json()
        if not page["items"]:
            break
        events += page["items"]
        params["after"] = page["next_cursor"]
    lapsed = {e["subject"]["id"] for e in events if e["data"] == {"status": "expired"}}
    assert lapsed == {o["id"] for o in offers[4:]}
    # the 26 are free for another request in the same window, and may be named there
    other = await insert_request(services, station["id"], quantity=30, title="同一时段另一场")
    body = await candidates(admin, other, limit=50)
    released = {o["provider_id"] for o in offers[4:]}
    assert released <= ids(body)
    assert not ids(body) & {o["provider_id"] for o in offers[:4]}
    assert removed(body, "volunteer")["capacity"] == 4
    one = next(iter(released))
    named = await admin.post(
        offers_url(other), json={"providers": [{"provider_type": "volunteer", "provider_id": one}]}
    )
    assert named.status_code == 201, named.text
    del volunteers


async def test_5_a_cancelled_request_lets_its_proposals_go_saying_why(admin, services, station):
    await create_volunteer(admin, name="甲")
    request_id = await insert_request(services, station["id"], quantity=2)
    made = await admin.post(offers_url(request_id), json={"top": 5})
    assert made.status_code == 201, made.text

    cancelled = await admin.post(f"/v1/resource-requests/{request_id}/cancel")
    assert cancelled.status_code == 200, cancelled.text

    [offer] = (await admin.get("/v1/offers", params={"request_id": request_id})).json()["items"]
    assert (offer["status"], offer["lapse_reason"]) == ("withdrawn", "request_cancelled")


# --- 6. concurrent offers respect each other's holds --------------------------------------------


async def test_6_six_concurrent_offers_naming_the_same_three_hold_each_once(
    admin, services, station
):
    three = [await create_volunteer(admin, name=f"同{n}") for n in range(3)]
    requests = [
        await insert_request(services, station["id"], quantity=3, title=f"重叠{n}")
        for n in range(6)
    ]
    body = {"providers": [{"provider_type": "volunteer", "provider_id": v["id"]} for v in three]}

    responses = await asyncio.gather(*(admin.post(offers_url(r), json=body) for r in requests))

    codes = sorted(
        (r.status_code, None if r.status_code == 201 else r.json()["code"]) for r in responses
    )
    assert codes == [(201, None)] + [(422, "provider_not_eligible")] * 5
    live = (await admin.get("/v1/offers", params={"status": "proposed", "page_size": 50})).json()
    assert len(live["items"]) == 3


# --- 7. required skills are required; a window is covered whole ---------------------------------


async def test_7_required_skills_filter_and_preferred_ones_only_rank(admin, services, station):
    both = await create_volunteer(admin, name="全", skills=["home_visits", "first_aid"])
    required_only = await create_volunteer(admin, name="必", skills=["home_visits"])
    none = await create_volunteer(admin, name="无", skills=["driving", "first_aid"])
    request_id = await insert_request(
        services, station["id"], quantity=3, preferred_skills=["first_aid"]
    )

    body = await candidates(admin, request_id)

    assert ids(body) == {both["id"], required_only["id"]}
    assert none["id"] not in ids(body)
    assert removed(body, "volunteer")["skills"] == 1
    coverage = {
        c["provider_id"]: next(
            p["value"] for p in c["components"] if p["component"] == "skill_coverage"
        )
        for c in body["candidates"]
    }
    # of {home_visits, first_aid} asked for: both held, then one of two
    assert coverage == {both["id"]: 1.0, required_only["id"]: 0.5}


async def test_7_a_volunteer_free_for_part_of_the_window_is_no_candidate(admin, services, station):
    late = await create_volunteer(
        admin,
        name="晚",
        availability={"weekly": [{"weekday": 6, "start": "10:00", "end": "11:00"}]},
    )
    whole = await create_volunteer(
        admin,
        name="全程",
        availability={"weekly": [{"weekday": 6, "start": "08:30", "end": "11:00"}]},
    )
    request_id = await insert_request(
        services, station["id"], starts_at=at(SATURDAY, 9), ends_at=at(SATURDAY, 11)
    )

    body = await candidates(admin, request_id)

    assert ids(body) == {whole["id"]}
    assert late["id"] not in ids(body)
    assert removed(body, "volunteer")["availability"] == 1


async def test_social_workers_are_held_to_the_availability_they_state(admin, services, station):
    unstated = await create_social_worker(admin, name="随时")
    covering = await create_social_worker(
        admin,
        name="上午",
        availability={"weekly": [{"weekday": 6, "start": "08:00", "end": "12:00"}]},
    )
    partial = await create_social_worker(
        admin,
        name="十点后",
        availability={"weekly": [{"weekday": 6, "start": "10:00", "end": "12:00"}]},
    )
    away = await create_social_worker(
        admin,
        name="请假",
        availability={
            "weekly": [{"weekday": 6, "start": "08:00", "end": "12:00"}],
            "exceptions": [{"date": SATURDAY.isoformat(), "available": False}],
        },
    )
    request_id = await insert_request(
        services,
        station["id"],
        category="professional_service",
        required_skills=[],
        starts_at=at(SATURDAY, 9),
        ends_at=at(SATURDAY, 11),
    )

    body = await candidates(admin, request_id)

    workers = {
        c["provider_id"] for c in body["candidates"] if c["provider_type"] == "social_worker"
    }
    assert workers == {unstated["id"], covering["id"]}
    assert not workers & {partial["id"], away["id"]}
    assert removed(body, "social_worker")["availability"] == 2
    shown = (await admin.get(f"/v1/social-workers/{covering['id']}")).json()["availability"]
    assert shown == {
        "weekly": [{"weekday": 6, "start": "08:00", "end": "12:00"}],
        "exceptions": [],
    }
    assert (await admin.get(f"/v1/social-workers/{unstated['id']}")).json()["availability"] is None
