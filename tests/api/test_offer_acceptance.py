"""POST /v1/offers/{id}/accept: by the provider's organisation or by the station on its behalf;
never more accepted than requested, never a person booked twice, never a lapsed offer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.domain.access import Scope
from tests.api.test_matching_keeps_its_word import SATURDAY, at
from tests.factories.offers import (
    add_offer,
    add_request,
    count_offers,
    load_request,
    organisation_client,
    url,
)
from tests.factories.people import create_social_worker
from tests.factories.registry import create_station
from tests.factories.volunteers import (
    create_partner_organisation,
    create_resource,
    create_team,
    create_volunteer,
)

NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
async def station(admin) -> dict:
    return await create_station(admin)


@pytest.fixture
async def volunteer(admin) -> dict:
    return await create_volunteer(admin)


async def test_the_station_accepts_on_the_providers_behalf(
    admin, services, make_client, station, volunteer
):
    request = await add_request(services, station["id"], quantity=2)
    offer = await add_offer(services, request, "volunteer", volunteer["id"])
    client = await make_client(Scope.REQUESTS_WRITE, station_id=station["id"], name="北山站")

    response = await client.post(url(offer, "accept"))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "accepted"
    assert body["responded_on_behalf"] is True
    assert body["responded_by_client_id"] == str(client.client_id)
    assert body["version"] == 2
    assert response.headers["etag"] == '"2"'
    stored = await load_request(services, request.id)
    assert (stored.committed_quantity, stored.status, stored.version) == (
        1,
        "partially_committed",
        2,
    )


async def test_the_providers_organisation_answers_for_everything_it_stands_for(
    admin, app, services, station
):
    organisation = await create_partner_organisation(admin)
    resource = await create_resource(
        admin, organisation["id"], kind="goods", unit="items", total_quantity=100
    )
    team = await create_team(admin, leading_organisation_id=organisation["id"])
    worker = await create_social_worker(admin, employer_organisation_id=organisation["id"])
    request = await add_request(services, station["id"], quantity=50)
    # the goods in their own unit: a resource counted in items gives no people (capacity.py)
    goods = await add_request(services, station["id"], quantity=50, category="goods", unit="items")
    offers = [
        await add_offer(services, request, "organisation", organisation["id"]),
        await add_offer(services, goods, "charity_resource", resource["id"]),
        await add_offer(services, request, "volunteer_team", team["id"]),
        await add_offer(services, request, "social_worker", worker["id"]),
    ]

    async with organisation_client(app, services, organisation["id"]) as provider:
        for offer in offers:
            response = await provider.post(url(offer, "accept"))
            assert response.status_code == 200, (offer.provider_type, response.text)
            assert response.json()["responded_on_behalf"] is False
            assert response.json()["responded_by_client_id"] == str(provider.client_id)
    assert (await load_request(services, request.id)).committed_quantity == 3


async def test_a_provider_client_answers_nothing_of_a_volunteer_or_another_organisation(
    admin, app, services, station, volunteer
):
    mine = await create_partner_organisation(admin)
    other = await create_partner_organisation(admin, name="别家社工机构")
    request = await add_request(services, station["id"])
    offers = [
        await add_offer(services, request, "volunteer", volunteer["id"]),
        await add_offer(services, request, "organisation", other["id"]),
    ]
    async with organisation_client(app, services, mine["id"]) as provider:
        for offer in offers:
            assert (await provider.post(url(offer, "accept"))).status_code == 404
            assert (await provider.post(url(offer, "decline"))).status_code == 404


async def test_answering_needs_a_responding_or_writing_scope(
    make_client, services, station, volunteer
):
    request = await add_request(services, station["id"])
    offer = await add_offer(services, request, "volunteer", volunteer["id"])
    reader = await make_client(Scope.REQUESTS_READ)

    response = await reader.post(url(offer, "accept"))

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert set(response.json()["required_scopes"]) == {"offers:respond", "requests:write"}


async def test_never_more_accepted_than_requested(admin, services, station):
    request = await add_request(services, station["id"], quantity=3)
    first = await add_offer(
        services, request, "volunteer_team", (await create_team(admin))["id"], quantity=2
    )
    second = await add_offer(
        services,
        request,
        "volunteer_team",
        (await create_team(admin, name="二队"))["id"],
        quantity=2,
    )
    assert (await admin.post(url(first, "accept"))).status_code == 200

    response = await admin.post(url(second, "accept"))

    assert response.status_code == 409
    problem = response.json()
    assert (problem["code"], problem["quantity_left"]) == ("request_fully_committed", 1)
    assert (await admin.get(url(second))).json()["status"] == "proposed"
    stored = await load_request(services, request.id)
    assert (stored.committed_quantity, stored.status) == (2, "partially_committed")


async def test_a_full_commitment_makes_the_request_committed(admin, services, station, volunteer):
    request = await add_request(services, station["id"], quantity=1)
    offer = await add_offer(services, request, "volunteer", volunteer["id"])

    assert (await admin.post(url(offer, "accept"))).status_code == 200

    stored = await load_request(services, request.id)
    assert (stored.committed_quantity, stored.status) == (1, "committed")


@pytest.mark.parametrize("provider", ["volunteer", "social_worker"])
async def test_a_person_is_never_booked_twice_for_overlapping_windows(
    admin, services, station, provider
):
    person = (
        await create_volunteer(admin)
        if provider == "volunteer"
        else await create_social_worker(admin)
    )
    morning = await add_request(services, station["id"], lasts=timedelta(hours=3))
    overlapping = await add_request(
        services, station["id"], starts_at=morning.starts_at + timedelta(hours=2)
    )
    afterwards = await add_request(services, station["id"], starts_at=morning.ends_at)
    booked = await add_offer(services, morning, provider, person["id"])
    clash = await add_offer(services, overlapping, provider, person["id"])
    later = await add_offer(services, afterwards, provider, person["id"])
    assert (await admin.post(url(booked, "accept"))).status_code == 200

    response = await admin.post(url(clash, "accept"))

    assert response.status_code == 409
    assert response.json()["code"] == "provider_double_booked"
    assert (await load_request(services, overlapping.id)).committed_quantity == 0
    assert (await admin.post(url(later, "accept"))).status_code == 200  # touching ends: fine


async def test_organisations_may_serve_overlapping_windows(admin, services, station):
    organisation = await create_partner_organisation(admin)
    first = await add_request(services, station["id"])
    second = await add_request(services, station["id"])
    for request in (first, second):
        offer = await add_offer(services, request, "organisation", organisation["id"])
        assert (await admin.post(url(offer, "accept"))).status_code == 200


async def test_a_charity_resource_promises_no_more_than_it_has(admin, services, station):
    organisation = await create_partner_organisation(admin)
    resource = await create_resource(
        admin, organisation["id"], kind="goods", unit="items", total_quantity=100
    )
    request = await add_request(
        services, station["id"], quantity=500, category="goods", unit="items"
    )
    first = await add_offer(services, request, "charity_resource", resource["id"], quantity=80)
    second = await add_offer(services, request, "charity_resource", resource["id"], quantity=30)
    assert (await admin.post(url(first, "accept"))).status_code == 200

    response = await admin.post(url(second, "accept"))

    assert response.status_code == 409
    assert response.json()["code"] == "provider_capacity_exhausted"
    assert response.json()["held_quantity"] == 80


async def test_an_expired_offer_is_refused_and_stored_as_expired(
    admin, services, station, volunteer
):
    request = await add_request(services, station["id"])
    offer = await add_offer(
        services, request, "volunteer", volunteer["id"], expires_in=-timedelta(minutes=1)
    )

    response = await admin.post(url(offer, "accept"))

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["current_status"]) == (
        "offer_expired",
        "expired",
    )
    assert await count_offers(services, id=offer.id, status="expired") == 1
    assert (await load_request(services, request.id)).committed_quantity == 0
    again = await admin.post(url(offer, "accept"))
    assert (again.json()["code"], again.json()["current_status"]) == (
        "illegal_transition",
        "expired",
    )


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("declined", "accept"),
        ("accepted", "accept"),
        ("accepted", "decline"),
        ("withdrawn", "withdraw"),
        ("completed", "withdraw"),
    ],
)
async def test_illegal_moves_are_409_with_the_current_status(
    admin, services, station, volunteer, status, action
):
    request = await add_request(services, station["id"], committed_quantity=1)
    offer = await add_offer(services, request, "volunteer", volunteer["id"], status=status)

    response = await admin.post(url(offer, action))

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["current_status"]) == (
        "illegal_transition",
        status,
    )
    assert (await admin.get(url(offer))).json()["version"] == 1


@pytest.mark.parametrize("status", ["cancelled", "closed", "fulfilled", "expired"])
async def test_a_request_no_longer_answered_accepts_nothing(
    admin, services, station, volunteer, status
):
    request = await add_request(services, station["id"], status=status)
    offer = await add_offer(services, request, "volunteer", volunteer["id"])

    response = await admin.post(url(offer, "accept"))

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["current_status"]) == (
        "request_not_open",
        status,
    )


async def test_an_inactive_provider_accepts_nothing(admin, services, station):
    volunteer = await create_volunteer(admin, status="inactive")
    offer = await add_offer(
        services, await add_request(services, station["id"]), "volunteer", volunteer["id"]
    )

    response = await admin.post(url(offer, "accept"))

    assert (response.status_code, response.json()["code"]) == (409, "provider_inactive")


async def test_declining_a_proposal_its_request_no_longer_needs_is_409_with_its_hold_intact(
    admin, services, station
):
    # bench/mixed.py's morning: a request for one person offered to its best candidate twice
    # (`{"top": 1}`), the first offer accepted, the second then declined. The second lapsed at
    # the acceptance (its request fully committed), not because its hold ran out: its decline
    # is a race the bench counts, and its `expires_at` is still the hold the service gave it.
    await create_volunteer(admin, name="志愿甲")
    await create_volunteer(admin, name="志愿乙")
    request = await add_request(
        services, station["id"], quantity=1, starts_at=at(SATURDAY, 9, 30), lasts=timedelta(hours=2)
    )
    made = [
        await admin.post(f"/v1/resource-requests/{request.id}/offers", json={"top": 1})
        for _ in range(2)
    ]
    assert [m.status_code for m in made] == [201, 201], [m.text for m in made]
    first, second = (m.json()["items"][0] for m in made)
    assert first["provider_id"] != second["provider_id"]
    assert (await admin.post(url(first, "accept"))).status_code == 200

    declined = await admin.post(url(second, "decline"))

    assert declined.status_code == 409
    assert (declined.json()["code"], declined.json()["current_status"]) == (
        "illegal_transition",
        "expired",
    )
    stored = (await admin.get(url(second))).json()
    assert (stored["status"], stored["lapse_reason"]) == ("expired", "request_committed")
    assert stored["expires_at"] == second["expires_at"]  # the 48 h hold, untouched
    held = datetime.fromisoformat(stored["expires_at"]) - datetime.now(UTC)
    assert timedelta(hours=47) < held <= timedelta(hours=48)
