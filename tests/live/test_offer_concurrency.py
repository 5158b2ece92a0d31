"""Accepting offers under real parallel requests over sockets: never more accepted than a request
asks for, never one volunteer booked for two overlapping windows (the request and the provider
rows locked in the accepting unit of work; SQLite serialises its writers anyway)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import timedelta

import httpx
import pytest

from service.domain.access import Scope
from service.usecases.clients import create_client
from tests.factories.offers import add_offers, add_request, add_volunteers, load_request
from tests.factories.registry import BEISHAN, station_body
from tests.live.test_concurrency import call

AT_ONCE = 50


async def station_client(base_url: str, services) -> tuple[dict, dict[str, str]]:
    """A station, and the headers of a client bound to it (it accepts on providers' behalf)."""
    admin = await create_client(services, name="live-offers-admin", scopes=[Scope.ADMIN])
    created = await call(
        base_url,
        "POST",
        "/v1/stations",
        json=station_body(BEISHAN),
        headers={"Authorization": f"Bearer {admin.api_key}"},
    )
    assert created.status_code == 201, created.text
    station = created.json()
    issued = await create_client(
        services,
        name="北山街道社工站",
        scopes=[Scope.REQUESTS_READ, Scope.REQUESTS_WRITE],
        station_id=uuid.UUID(station["id"]),
    )
    return station, {"Authorization": f"Bearer {issued.api_key}"}


async def accept_all(base_url: str, offer_ids: list, headers: dict) -> list[httpx.Response]:
    """POST every accept at once, each on its own connection."""
    limits = httpx.Limits(max_connections=len(offer_ids))
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        return await asyncio.gather(
            *(
                client.post(f"/v1/offers/{offer_id}/accept", headers=headers)
                for offer_id in offer_ids
            )
        )


def tally(responses: list[httpx.Response]) -> Counter:
    return Counter(
        (r.status_code, r.json().get("code") if r.status_code != 200 else "accepted")
        for r in responses
    )


async def fill_a_request(base_url: str, services, *, asked: int, offered: int) -> None:
    station, headers = await station_client(base_url, services)
    request = await add_request(services, station["id"], quantity=asked)
    volunteers = await add_volunteers(services, offered)
    offers = await add_offers(services, request, "volunteer", volunteers)

    responses = await accept_all(base_url, [offer.id for offer in offers], headers)

    assert tally(responses) == Counter(
        {(200, "accepted"): asked, (409, "request_fully_committed"): offered - asked}
    ), [r.text for r in responses if r.status_code not in (200, 409)]
    stored = await load_request(services, request.id)
    assert (stored.committed_quantity, stored.status) == (asked, "committed")
    listed = await call(
        base_url,
        "GET",
        "/v1/offers",
        params={"request_id": str(request.id), "status": "accepted", "page_size": 200},
        headers=headers,
    )
    assert len(listed.json()["items"]) == asked


@pytest.mark.postgres_only
async def test_fifty_accepts_for_ten_places_let_exactly_ten_through(live_server, services):
    await fill_a_request(live_server, services, asked=10, offered=AT_ONCE)


async def test_parallel_accepts_never_overfill_a_request(live_server, services):
    await fill_a_request(live_server, services, asked=3, offered=12)


async def book_one_volunteer(base_url: str, services, *, requests: int) -> None:
    station, headers = await station_client(base_url, services)
    [volunteer] = await add_volunteers(services, 1)
    first = await add_request(services, station["id"], quantity=1, lasts=timedelta(hours=4))
    offer_ids = []
    for index in range(requests):  # each window overlaps every other one
        request = await add_request(
            services,
            station["id"],
            quantity=1,
            starts_at=first.starts_at + timedelta(minutes=index),
            lasts=timedelta(hours=3),
        )
        [offer] = await add_offers(services, request, "volunteer", [volunteer])
        offer_ids.append(offer.id)

    responses = await accept_all(base_url, offer_ids, headers)

    assert tally(responses) == Counter(
        {(200, "accepted"): 1, (409, "provider_double_booked"): requests - 1}
    ), [r.text for r in responses if r.status_code not in (200, 409)]
    accepted = await call(
        base_url,
        "GET",
        "/v1/offers",
        params={"provider_id": volunteer, "status": "accepted"},
        headers=headers,
    )
    assert len(accepted.json()["items"]) == 1


@pytest.mark.postgres_only
async def test_fifty_overlapping_bookings_of_one_volunteer_let_exactly_one_through(
    live_server, services
):
    await book_one_volunteer(live_server, services, requests=AT_ONCE)


async def test_parallel_bookings_of_one_volunteer_let_one_through(live_server, services):
    await book_one_volunteer(live_server, services, requests=10)
