"""POST /v1/offers/{id}/rate: the station rates a completed offer once, 1–5 with a note; the
rating feeds the reliability component of matching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories.offers import add_offer, add_request, url
from tests.factories.registry import create_station
from tests.factories.volunteers import create_volunteer

# Saturday 5 December 2026, 09:30–11:30 in Hangzhou: the factory volunteers' Saturday slot.
SATURDAY = datetime(2026, 12, 5, 1, 30, tzinfo=UTC)


@pytest.fixture
async def station(admin) -> dict:
    return await create_station(admin)


@pytest.fixture
async def volunteer(admin) -> dict:
    return await create_volunteer(admin)


async def accepted(admin, services, request, provider_type, provider_id):
    offer = await add_offer(services, request, provider_type, provider_id)
    response = await admin.post(url(offer, "accept"))
    assert response.status_code == 200, response.text
    return offer


async def test_the_station_rates_a_completed_offer_once(admin, services, station, volunteer):
    request = await add_request(services, station["id"])
    offer = await accepted(admin, services, request, "volunteer", volunteer["id"])
    early = await admin.post(url(offer, "rate"), json={"rating": 5})
    assert (early.status_code, early.json()["code"], early.json()["current_status"]) == (
        409,
        "offer_not_completed",
        "accepted",
    )
    await admin.post(url(offer, "complete"), json={"actual_quantity": 1, "volunteer_hours": 2})

    response = await admin.post(url(offer, "rate"), json={"rating": 4, "note": "准时，耐心。"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["rating"], body["rating_note"]) == (4, "准时，耐心。")
    assert body["rated_at"] is not None
    again = await admin.post(url(offer, "rate"), json={"rating": 1})
    assert (again.status_code, again.json()["code"]) == (409, "already_rated")
    assert (await admin.get(url(offer))).json()["rating"] == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 0}, "body.rating"),
        ({"rating": 6}, "body.rating"),
        ({"rating": 4.5}, "body.rating"),
        ({"rating": "5"}, "body.rating"),
        ({}, "body.rating"),
        ({"rating": 3, "note": "x" * 1001}, "body.note"),
        ({"rating": 3, "stars": 3}, "body.stars"),
    ],
)
async def test_bad_ratings_name_the_field_and_change_nothing(
    admin, services, station, volunteer, body, field
):
    request = await add_request(services, station["id"])
    offer = await accepted(admin, services, request, "volunteer", volunteer["id"])
    await admin.post(url(offer, "complete"), json={"actual_quantity": 1, "volunteer_hours": 2})

    response = await admin.post(url(offer, "rate"), json=body)

    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert (await admin.get(url(offer))).json()["rating"] is None


async def test_a_rating_feeds_the_reliability_of_later_matches(admin, services, station):
    volunteer = await create_volunteer(admin, name="甲")
    request = await add_request(services, station["id"])
    offer = await accepted(admin, services, request, "volunteer", volunteer["id"])
    await admin.post(url(offer, "complete"), json={"actual_quantity": 1, "volunteer_hours": 2})
    await admin.post(url(offer, "rate"), json={"rating": 5})
    later = await add_request(services, station["id"], starts_at=SATURDAY, lasts=timedelta(hours=2))

    found = await admin.get(f"/v1/resource-requests/{later.id}/candidates")

    assert found.status_code == 200, found.text
    [candidate] = found.json()["candidates"]
    parts = {part["component"]: part["value"] for part in candidate["components"]}
    assert parts["reliability"] == pytest.approx((0.7 * 3 + 1.0) / 4)  # the prior and one 5
