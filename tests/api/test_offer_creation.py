"""POST /v1/resource-requests/{id}/offers: offers to named providers (each passing every hard
filter of matching) or to the top N candidates, with their scores; `propose_offers` for the
allocation runs; and the whole path from a posted request to hours in the ledger."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from service.db.repositories.offers import request_for_update
from service.db.tables import AllocationRunRecord, OfferRecord
from service.domain.access import Caller, Scope
from service.domain.requests import Proposal, ProviderType
from service.usecases.common import unit_of_work
from service.usecases.offers import propose_offers
from tests.factories.allocation import next_saturday
from tests.factories.offers import add_request, count_offers, load_request, url
from tests.factories.registry import QINGBO, create_station
from tests.factories.requests import create_request, window
from tests.factories.volunteers import create_partner_organisation, create_volunteer

NOBODY = "00000000-0000-4000-8000-000000000000"
# The next Saturday a day or more away, 09:30–11:30 in Hangzhou: the factory volunteers'
# Saturday slot (a fixed date passed, and offers whose hold would end at once are refused).
SATURDAY = next_saturday(datetime.now(UTC))
EVERY_DAY = {
    "weekly": [{"weekday": day, "start": "00:00", "end": "23:59"} for day in range(1, 8)],
    "exceptions": [],
}


@pytest.fixture
async def station(admin) -> dict:
    return await create_station(admin)


@pytest.fixture
async def request_row(services, station):
    return await add_request(
        services, station["id"], quantity=2, starts_at=SATURDAY, lasts=timedelta(hours=2)
    )


def offers_url(request) -> str:
    identifier = request["id"] if isinstance(request, dict) else request.id
    return f"/v1/resource-requests/{identifier}/offers"


async def test_offers_to_the_top_candidates_carry_their_scores(admin, services, station):
    request_row = await add_request(  # home visits required, companionship welcome
        services,
        station["id"],
        quantity=2,
        starts_at=SATURDAY,
        lasts=timedelta(hours=2),
        preferred_skills=["companionship"],
    )
    best = await create_volunteer(admin, name="甲")
    second = await create_volunteer(admin, name="乙", skills=["home_visits", "driving"])
    await create_volunteer(admin, name="丙", status="inactive")
    await create_volunteer(admin, name="丁", skills=["driving"])  # lacks the required skill

    response = await admin.post(offers_url(request_row), json={"top": 5, "expires_in_hours": 6})

    assert response.status_code == 201, response.text
    items = response.json()["items"]
    assert [item["provider_id"] for item in items] == [best["id"], second["id"]]
    assert response.headers["location"] == f"/v1/offers?request_id={request_row.id}"
    first = items[0]
    assert (first["status"], first["quantity"], first["unit"]) == ("proposed", 1, "people")
    assert first["score"] > items[1]["score"]
    components = {part["component"] for part in first["explanation"]}
    assert {"skill_coverage", "reliability", "fairness"} <= components
    assert sum(part["contribution"] for part in first["explanation"]) == pytest.approx(
        first["score"], abs=1e-4
    )
    expires = datetime.fromisoformat(first["expires_at"])
    assert timedelta(hours=5) < expires - datetime.now(UTC) <= timedelta(hours=6)
    assert first["window"]["starts_at"] == SATURDAY.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert first["offered_by_client_id"] == str(admin.client_id)
    assert await count_offers(services, request_id=request_row.id) == 2


async def test_an_offer_holds_the_providers_capacity_until_it_expires(
    admin, services, station, request_row
):
    volunteer = await create_volunteer(admin)
    overlapping = await add_request(
        services, station["id"], starts_at=SATURDAY, lasts=timedelta(hours=2)
    )
    await admin.post(offers_url(request_row), json={"top": 1})

    response = await admin.post(offers_url(overlapping), json={"top": 1})

    assert (response.status_code, response.json()["code"]) == (409, "no_candidates")
    assert {"provider_type": "volunteer", "filter": "capacity", "removed": 1} in response.json()[
        "removed"
    ]
    async with services.database.session() as session:  # the hold runs out
        record = await session.get(
            OfferRecord, uuid.UUID((await admin.get("/v1/offers")).json()["items"][0]["id"])
        )
        record.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        await session.commit()
    again = await admin.post(offers_url(overlapping), json={"top": 1})
    assert again.status_code == 201, again.text
    assert again.json()["items"][0]["provider_id"] == volunteer["id"]


async def test_offers_to_named_providers(admin, services, request_row):
    volunteer = await create_volunteer(admin)
    organisation = await create_partner_organisation(admin, skills=["home_visits"])

    response = await admin.post(
        offers_url(request_row),
        json={
            "providers": [
                {"provider_type": "organisation", "provider_id": organisation["id"], "quantity": 1},
                {"provider_type": "volunteer", "provider_id": volunteer["id"]},
            ]
        },
    )

    assert response.status_code == 201, response.text
    items = response.json()["items"]
    assert [(i["provider_type"], i["quantity"]) for i in items] == [
        ("organisation", 1),
        ("volunteer", 1),
    ]
    assert all(item["explanation"] and item["score"] is not None for item in items)


async def test_a_named_provider_must_pass_every_hard_filter(admin, services, request_row):
    inactive = await create_volunteer(admin, status="inactive")
    elsewhere = await create_volunteer(
        admin, name="外区", service_area=["330102"], home_location=None
    )
    fine = await create_volunteer(admin, name="合适")

    response = await admin.post(
        offers_url(request_row),
        json={
            "providers": [
                {"provider_type": "volunteer", "provider_id": fine["id"]},
                {"provider_type": "volunteer", "provider_id": inactive["id"]},
                {"provider_type": "volunteer", "provider_id": elsewhere["id"]},
                {"provider_type": "university", "provider_id": NOBODY},
                {"provider_type": "volunteer", "provider_id": fine["id"], "quantity": 1},
            ]
        },
    )

    assert response.status_code == 422, response.text
    fields = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert fields == {("body.providers[4]", "duplicate_provider")}
    response = await admin.post(
        offers_url(request_row),
        json={
            "providers": [
                {"provider_type": "volunteer", "provider_id": fine["id"], "quantity": 2},
                {"provider_type": "volunteer", "provider_id": inactive["id"]},
                {"provider_type": "volunteer", "provider_id": elsewhere["id"]},
                {"provider_type": "university", "provider_id": NOBODY},
            ]
        },
    )
    assert response.status_code == 422, response.text
    fields = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert fields == {
        ("body.providers[0].quantity", "quantity_exceeds_capacity"),
        ("body.providers[1].provider_id", "provider_not_eligible"),
        ("body.providers[2].provider_id", "provider_not_eligible"),
        ("body.providers[3].provider_id", "provider_not_eligible"),
    }
    assert await count_offers(services) == 0


async def test_a_provider_holding_an_offer_is_not_offered_twice(admin, services, request_row):
    volunteer = await create_volunteer(admin)
    body = {"providers": [{"provider_type": "volunteer", "provider_id": volunteer["id"]}]}
    first = (await admin.post(offers_url(request_row), json=body)).json()["items"][0]

    again = await admin.post(offers_url(request_row), json=body)

    assert (again.status_code, again.json()["code"]) == (409, "already_offered")
    await admin.post(url(first, "decline"))
    assert (await admin.post(offers_url(request_row), json=body)).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.providers"),
        (
            {"top": 2, "providers": [{"provider_type": "volunteer", "provider_id": NOBODY}]},
            "body.providers",
        ),
        ({"providers": []}, "body.providers"),
        ({"top": 0}, "body.top"),
        ({"top": 51}, "body.top"),
        ({"top": "3"}, "body.top"),
        ({"top": 1, "expires_in_hours": 0}, "body.expires_in_hours"),
        ({"top": 1, "expires_in_hours": 721}, "body.expires_in_hours"),
        (
            {"providers": [{"provider_type": "robot", "provider_id": NOBODY}]},
            "body.providers[0].provider_type",
        ),
        (
            {"providers": [{"provider_type": "volunteer", "provider_id": "x"}]},
            "body.providers[0].provider_id",
        ),
        (
            {"providers": [{"provider_type": "volunteer", "provider_id": NOBODY, "quantity": 0}]},
            "body.providers[0].quantity",
        ),
        ({"top": 1, "score": 1}, "body.score"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(
    admin, services, request_row, body, field
):
    await create_volunteer(admin)

    response = await admin.post(offers_url(request_row), json=body)

    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await count_offers(services) == 0


async def test_who_may_offer_and_what(admin, services, make_client, station, request_row):
    await create_volunteer(admin)
    other = await create_station(admin, QINGBO)
    stranger = await make_client(Scope.REQUESTS_WRITE, station_id=other["id"])
    reader = await make_client(Scope.REQUESTS_READ)
    cancelled = await add_request(services, station["id"], status="cancelled")

    assert (await stranger.post(offers_url(request_row), json={"top": 1})).status_code == 404
    assert (await reader.post(offers_url(request_row), json={"top": 1})).status_code == 403
    unknown = await admin.post(f"/v1/resource-requests/{NOBODY}/offers", json={"top": 1})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    closed = await admin.post(offers_url(cancelled), json={"top": 1})
    assert (closed.status_code, closed.json()["code"], closed.json()["current_status"]) == (
        409,
        "request_not_open",
        "cancelled",
    )
    assert await count_offers(services) == 0


async def test_a_retried_batch_replays_and_offers_once(admin, services, request_row):
    await create_volunteer(admin)
    headers = {"Idempotency-Key": "offer-batch-1"}

    first = await admin.post(offers_url(request_row), json={"top": 3}, headers=headers)
    again = await admin.post(offers_url(request_row), json={"top": 3}, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert await count_offers(services) == 1


async def test_a_hold_never_outlasts_the_requests_window(admin, services, station):
    organisation = await create_partner_organisation(admin)
    request = await add_request(
        services, station["id"], lasts=timedelta(hours=3), required_skills=[]
    )
    body = {
        "providers": [{"provider_type": "organisation", "provider_id": organisation["id"]}],
        "expires_in_hours": 48,
    }

    response = await admin.post(offers_url(request), json=body)

    assert response.status_code == 201, response.text
    item = response.json()["items"][0]
    assert item["expires_at"] == item["window"]["ends_at"]


async def test_propose_offers_for_the_allocation_runs(admin, services, station, request_row):
    organisation = await create_partner_organisation(admin)
    volunteer = await create_volunteer(admin)
    run_id = uuid.uuid4()
    async with services.database.session() as session:
        session.add(
            AllocationRunRecord(id=run_id, status="succeeded", requested_by_client_id=uuid.uuid4())
        )
        await session.commit()
    explained = ({"component": "skill_coverage", "value": 1.0, "weight": 0.3, "contribution": 0.3},)
    proposals = [
        Proposal(ProviderType.ORGANISATION, uuid.UUID(organisation["id"]), 5, 0.9, explained),
        Proposal(ProviderType.VOLUNTEER, uuid.UUID(volunteer["id"]), 1, 0.7),
        Proposal(ProviderType.VOLUNTEER, uuid.UUID(volunteer["id"]), 1, 0.7),  # once only
    ]
    caller = Caller(uuid.uuid4(), "allocation", frozenset({Scope.ALLOCATION_RUN}))
    async with unit_of_work(services.database) as session:
        request = await request_for_update(session, request_row.id)
        made = await propose_offers(
            session,
            services,
            request=request,
            proposals=proposals,
            caller=caller,
            allocation_run_id=run_id,
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )

    assert [(o.provider_type, o.quantity) for o in made] == [("organisation", 2), ("volunteer", 1)]
    listed = (await admin.get("/v1/offers", params={"request_id": str(request_row.id)})).json()
    stored = {item["provider_type"]: item for item in listed["items"]}
    assert stored["organisation"]["allocation_run_id"] == str(run_id)
    assert stored["organisation"]["explanation"] == list(explained)
    assert stored["organisation"]["score"] == 0.9


async def test_the_whole_path_from_request_to_ledger(admin, services, make_client, station):
    station_client = await make_client(
        Scope.REQUESTS_READ, Scope.REQUESTS_WRITE, station_id=station["id"], name="北山街道社工站"
    )
    volunteers = [
        await create_volunteer(admin, name=name, availability=EVERY_DAY)
        for name in ("甲", "乙", "丙")
    ]
    posted = await create_request(
        station_client,
        station["id"],
        quantity=2,
        window=window(starts_in=timedelta(minutes=-5), lasts=timedelta(hours=2)),
    )
    candidates = await station_client.get(f"/v1/resource-requests/{posted['id']}/candidates")
    assert candidates.status_code == 200, candidates.text
    assert {c["provider_id"] for c in candidates.json()["candidates"]} == {
        v["id"] for v in volunteers
    }

    made = await station_client.post(offers_url(posted), json={"top": 3})
    assert made.status_code == 201, made.text
    offers = made.json()["items"]
    answers = await asyncio.gather(*(station_client.post(url(o, "accept")) for o in offers))
    assert sorted(a.status_code for a in answers) == [200, 200, 409]
    accepted = [a.json() for a in answers if a.status_code == 200]
    request = await station_client.get(f"/v1/resource-requests/{posted['id']}")
    assert (request.json()["status"], request.json()["committed_quantity"]) == ("committed", 2)

    for offer in accepted:
        done = await station_client.post(
            url(offer, "complete"),
            json={"actual_quantity": 1, "volunteer_hours": 1.5, "beneficiaries": 4},
        )
        assert done.status_code == 200, done.text
        rated = await station_client.post(url(offer, "rate"), json={"rating": 5, "note": "很好"})
        assert rated.status_code == 200, rated.text
    request = await station_client.get(f"/v1/resource-requests/{posted['id']}")
    assert (request.json()["status"], request.json()["fulfilled_quantity"]) == ("fulfilled", 2)
    stored = await load_request(services, uuid.UUID(posted["id"]))
    assert stored.fulfilled_quantity == 2
    ledger = await station_client.get("/v1/service-records.csv")
    rows = ledger.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 3
    assert all(",北山街道社工站" in row and ",1.5," in row for row in rows[1:])
    first = accepted[0]["provider_id"]
    records = (await station_client.get(f"/v1/volunteers/{first}/service-records")).json()
    assert [r["project"] for r in records["items"]] == [posted["title"]]


async def test_an_offer_holds_for_the_configured_hours_unless_told(
    app, admin, services, request_row
):
    await create_volunteer(admin, name="甲")
    await create_volunteer(admin, name="乙")
    # (not monkeypatch: undoing a setattr on starlette's State deletes the attribute)
    app.state.services = dataclasses.replace(services, offer_hold_hours=3)
    try:
        first = await admin.post(offers_url(request_row), json={"top": 1})
        second = await admin.post(offers_url(request_row), json={"top": 1, "expires_in_hours": 5})
    finally:
        app.state.services = services

    def held(response) -> timedelta:
        assert response.status_code == 201, response.text
        return datetime.fromisoformat(response.json()["items"][0]["expires_at"]) - datetime.now(UTC)

    assert timedelta(hours=2) < held(first) <= timedelta(hours=3)
    assert timedelta(hours=4) < held(second) <= timedelta(hours=5)
