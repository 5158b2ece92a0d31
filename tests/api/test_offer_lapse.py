"""Acting on a proposal that lapsed with its request: every answer says it lapsed, and why.

When a request stops taking offers (fully committed, cancelled, closed, expired), its proposals
lapse at once, stored `expired` or `withdrawn` with a `lapse_reason`, long before their hold
runs out. A decline, withdrawal, completion or rating of one answers 409 `offer_lapsed` naming
the reason; an accept says what stops its request (`request_fully_committed`,
`request_not_open`) with the reason too. A proposal whose hold ran out keeps its own answers
(`offer_expired`, then `illegal_transition` from `expired`). The bench's case, a decline after
the request filled up, is in test_offer_acceptance.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories.offers import add_offer, add_request, load_request, url
from tests.factories.registry import create_station
from tests.factories.volunteers import create_volunteer

COMPLETION = {"actual_quantity": 1, "volunteer_hours": 1}


@pytest.fixture
async def station(admin) -> dict:
    return await create_station(admin)


async def two_proposals(admin, services, station) -> tuple[object, object, object]:
    """A request for one person, proposed to two volunteers."""
    request = await add_request(services, station["id"], quantity=1)
    first, second = [
        await add_offer(services, request, "volunteer", (await create_volunteer(admin))["id"])
        for _ in range(2)
    ]
    return request, first, second


def lapse_of(response) -> tuple[int, str, str, str]:
    problem = response.json()
    return (
        response.status_code,
        problem["code"],
        problem.get("current_status"),
        problem.get("lapse_reason"),
    )


async def test_declining_a_proposal_of_a_cancelled_request_says_it_lapsed(admin, services, station):
    request = await add_request(services, station["id"], quantity=2)
    offer = await add_offer(services, request, "volunteer", (await create_volunteer(admin))["id"])
    cancelled = await admin.post(f"/v1/resource-requests/{request.id}/cancel")
    assert cancelled.status_code == 200, cancelled.text

    declined = await admin.post(url(offer, "decline"))

    assert lapse_of(declined) == (409, "offer_lapsed", "withdrawn", "request_cancelled")
    assert declined.json()["detail"] == (
        "the offer lapsed when its request was cancelled, before its hold ran out:"
        " it is withdrawn and can no longer be declined"
    )
    stored = (await admin.get(url(offer))).json()
    assert (stored["status"], stored["lapse_reason"], stored["version"]) == (
        "withdrawn",
        "request_cancelled",
        2,
    )


@pytest.mark.parametrize(
    ("action", "body", "wanted"),
    [
        ("decline", None, "declined"),
        ("withdraw", None, "withdrawn"),
        ("complete", COMPLETION, "completed"),
        ("rate", {"rating": 4}, "rated"),
    ],
)
async def test_every_action_on_a_proposal_lapsed_by_commitment_says_so(
    admin, services, station, action, body, wanted
):
    request, first, second = await two_proposals(admin, services, station)
    assert (await admin.post(url(first, "accept"))).status_code == 200

    response = await admin.post(url(second, action), json=body)

    assert lapse_of(response) == (409, "offer_lapsed", "expired", "request_committed")
    assert response.json()["detail"].endswith(f"it is expired and can no longer be {wanted}")
    stored = (await admin.get(url(second))).json()
    assert (stored["status"], stored["version"]) == ("expired", 2)
    assert (await load_request(services, request.id)).committed_quantity == 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("expired", "request_expired"),
        ("withdrawn", "request_closed"),
        ("withdrawn", "request_cancelled"),
    ],
)
async def test_a_decline_names_whichever_reason_the_proposal_lapsed_for(
    admin, services, station, status, reason
):
    request = await add_request(services, station["id"], status=reason.removeprefix("request_"))
    offer = await add_offer(
        services,
        request,
        "volunteer",
        (await create_volunteer(admin))["id"],
        status=status,
        lapse_reason=reason,
    )

    response = await admin.post(url(offer, "decline"))

    assert lapse_of(response) == (409, "offer_lapsed", status, reason)


async def test_an_accept_of_a_lapsed_proposal_says_what_stops_it_and_names_the_lapse(
    admin, services, station
):
    request, first, second = await two_proposals(admin, services, station)
    assert (await admin.post(url(first, "accept"))).status_code == 200

    response = await admin.post(url(second, "accept"))

    assert response.status_code == 409
    problem = response.json()
    assert (problem["code"], problem["quantity_left"], problem["lapse_reason"]) == (
        "request_fully_committed",
        0,
        "request_committed",
    )
    cancelled = await add_request(services, station["id"], status="cancelled")
    offer = await add_offer(
        services,
        cancelled,
        "volunteer",
        (await create_volunteer(admin))["id"],
        status="withdrawn",
        lapse_reason="request_cancelled",
    )
    refused = await admin.post(url(offer, "accept"))
    assert lapse_of(refused) == (409, "request_not_open", "cancelled", "request_cancelled")


async def test_once_its_request_reopens_a_lapsed_proposal_still_says_it_lapsed(
    admin, services, station
):
    # The acceptance that filled the request is withdrawn: the request takes offers again, but
    # the proposal that lapsed then stays lapsed; a new offer is the way back.
    request, first, second = await two_proposals(admin, services, station)
    assert (await admin.post(url(first, "accept"))).status_code == 200
    assert (await admin.post(url(first, "withdraw"))).status_code == 200
    assert (await load_request(services, request.id)).status == "open"

    response = await admin.post(url(second, "accept"))

    assert lapse_of(response) == (409, "offer_lapsed", "expired", "request_committed")
    assert response.json()["detail"].endswith("it is expired and can no longer be accepted")


async def test_a_proposal_whose_hold_ran_out_keeps_its_answers(admin, services, station):
    request = await add_request(services, station["id"])
    offer = await add_offer(
        services,
        request,
        "volunteer",
        (await create_volunteer(admin))["id"],
        expires_in=-timedelta(minutes=1),
    )

    first = await admin.post(url(offer, "decline"))
    again = await admin.post(url(offer, "decline"))

    assert lapse_of(first) == (409, "offer_expired", "expired", None)
    assert lapse_of(again) == (409, "illegal_transition", "expired", None)
    assert (await admin.get(url(offer))).json()["lapse_reason"] is None
