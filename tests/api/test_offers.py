"""/v1/offers: reading offers (their station's and their provider's clients only), declining and
withdrawing them; acceptance has tests/api/test_offer_acceptance.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.domain.access import Scope
from tests.factories.offers import (
    add_offer,
    add_request,
    count_offers,
    load_request,
    now,
    organisation_client,
    url,
)
from tests.factories.registry import QINGBO, create_station
from tests.factories.volunteers import (
    create_partner_organisation,
    create_volunteer,
)

NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
async def station(admin) -> dict:
    return await create_station(admin)


@pytest.fixture
async def volunteer(admin) -> dict:
    return await create_volunteer(admin)


async def test_an_offer_reads_with_its_window_unit_explanation_and_etag(
    admin, services, station, volunteer
):
    request = await add_request(services, station["id"], quantity=3)
    offer = await add_offer(services, request, "volunteer", volunteer["id"])

    response = await admin.get(url(offer))

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "proposed"
    assert (body["quantity"], body["unit"]) == (1, "people")
    assert body["window"]["starts_at"].endswith("Z")
    assert body["explanation"] == [
        {"component": "skill_coverage", "value": 1.0, "weight": 0.3, "contribution": 0.3}
    ]
    assert body["responded_on_behalf"] is False
    assert response.headers["etag"] == '"1"'
    cached = await admin.get(url(offer), headers={"If-None-Match": '"1"'})
    assert cached.status_code == 304


async def test_other_stations_and_other_organisations_never_see_an_offer(
    admin, app, services, make_client, station, volunteer
):
    other = await create_station(admin, QINGBO)
    request = await add_request(services, station["id"])
    offer = await add_offer(services, request, "volunteer", volunteer["id"])
    organisation = await create_partner_organisation(admin)
    own = await make_client(Scope.REQUESTS_READ, station_id=station["id"])
    stranger = await make_client(Scope.REQUESTS_READ, Scope.REQUESTS_WRITE, station_id=other["id"])

    assert (await own.get(url(offer))).status_code == 200
    for action in (None, "accept", "decline", "withdraw"):
        response = await (
            stranger.get(url(offer)) if action is None else stranger.post(url(offer, action))
        )
        assert response.status_code == 404, (action, response.text)
        assert response.json()["code"] == "not_found"
    async with organisation_client(app, services, organisation["id"]) as provider:
        assert (await provider.get(url(offer))).status_code == 404
        assert (await provider.post(url(offer, "accept"))).status_code == 404
    assert (await admin.get(url(offer))).json()["status"] == "proposed"


async def test_a_proposal_past_its_hold_reads_as_expired(admin, services, station, volunteer):
    request = await add_request(services, station["id"])
    offer = await add_offer(
        services, request, "volunteer", volunteer["id"], expires_in=-timedelta(1)
    )

    assert (await admin.get(url(offer))).json()["status"] == "expired"


async def test_filters_and_effective_status(admin, services, station, volunteer):
    second = await create_volunteer(admin, name="王芳")
    first_request = await add_request(services, station["id"])
    other_request = await add_request(services, station["id"])
    live = await add_offer(services, first_request, "volunteer", volunteer["id"])
    lapsed = await add_offer(
        services, first_request, "volunteer", second["id"], expires_in=-timedelta(hours=1)
    )
    declined = await add_offer(
        services, other_request, "volunteer", second["id"], status="declined"
    )

    async def ids(**params) -> list[str]:
        response = await admin.get("/v1/offers", params=params)
        assert response.status_code == 200, response.text
        return sorted(item["id"] for item in response.json()["items"])

    assert await ids() == sorted(str(o.id) for o in (live, lapsed, declined))
    assert await ids(request_id=str(first_request.id)) == sorted(str(o.id) for o in (live, lapsed))
    assert await ids(provider_id=second["id"]) == sorted(str(o.id) for o in (lapsed, declined))
    assert await ids(status="proposed") == [str(live.id)]
    assert await ids(status="expired") == [str(lapsed.id)]
    assert await ids(status="declined") == [str(declined.id)]
    assert await ids(provider_type="organisation") == []
    assert await ids(station_id=NOBODY) == []
    bad = await admin.get("/v1/offers", params={"status": "pending"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "query.status"


async def test_pages_follow_the_order_offers_were_made_in_one_query(
    admin, services, station, count_queries
):
    request = await add_request(services, station["id"])
    made = []
    for index in range(5):
        volunteer = await create_volunteer(admin, name=f"志愿者{index}")
        made.append(
            await add_offer(
                services,
                request,
                "volunteer",
                volunteer["id"],
                created_at=now() + timedelta(seconds=index),
            )
        )
    counter = count_queries()
    first = (await admin.get("/v1/offers", params={"page_size": 2})).json()
    assert len(counter.statements) == 2  # the API key, then the page
    seen = [item["id"] for item in first["items"]]
    token = first["next_page_token"]
    while token:
        page = (await admin.get("/v1/offers", params={"page_size": 2, "page_token": token})).json()
        seen += [item["id"] for item in page["items"]]
        token = page["next_page_token"]
    assert seen == [str(offer.id) for offer in made]


async def test_bound_clients_list_only_their_own(
    admin, app, services, make_client, station, volunteer
):
    other = await create_station(admin, QINGBO)
    organisation = await create_partner_organisation(admin)
    ours = await add_offer(
        services, await add_request(services, station["id"]), "volunteer", volunteer["id"]
    )
    theirs = await add_offer(
        services, await add_request(services, other["id"]), "organisation", organisation["id"]
    )
    own = await make_client(Scope.REQUESTS_READ, station_id=station["id"])

    listed = (await own.get("/v1/offers")).json()["items"]
    assert [item["id"] for item in listed] == [str(ours.id)]
    async with organisation_client(app, services, organisation["id"]) as provider:
        listed = (await provider.get("/v1/offers")).json()["items"]
        assert [item["id"] for item in listed] == [str(theirs.id)]
        assert (await provider.get(url(theirs))).status_code == 200


async def test_the_provider_declines(admin, app, services, station):
    organisation = await create_partner_organisation(admin)
    offer = await add_offer(
        services, await add_request(services, station["id"]), "organisation", organisation["id"]
    )
    async with organisation_client(app, services, organisation["id"]) as provider:
        response = await provider.post(url(offer, "decline"))

    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["responded_on_behalf"]) == (
        "declined",
        False,
    )


async def test_withdrawing_an_acceptance_releases_its_commitment(
    admin, services, station, volunteer
):
    request = await add_request(services, station["id"], quantity=1)
    offer = await add_offer(services, request, "volunteer", volunteer["id"])
    await admin.post(url(offer, "accept"))
    assert (await load_request(services, request.id)).status == "committed"

    response = await admin.post(url(offer, "withdraw"))

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    stored = await load_request(services, request.id)
    assert (stored.committed_quantity, stored.status) == (0, "open")


async def test_withdrawing_a_proposal_changes_no_quantity(admin, services, station, volunteer):
    request = await add_request(services, station["id"])
    offer = await add_offer(services, request, "volunteer", volunteer["id"])

    assert (await admin.post(url(offer, "withdraw"))).json()["status"] == "withdrawn"
    stored = await load_request(services, request.id)
    assert (stored.committed_quantity, stored.status, stored.version) == (0, "open", 1)


async def test_only_the_station_withdraws(admin, app, services, station):
    organisation = await create_partner_organisation(admin)
    offer = await add_offer(
        services, await add_request(services, station["id"]), "organisation", organisation["id"]
    )
    async with organisation_client(app, services, organisation["id"]) as provider:
        assert (await provider.post(url(offer, "withdraw"))).status_code == 403
    scopes = (Scope.OFFERS_RESPOND, Scope.REQUESTS_WRITE)
    async with organisation_client(app, services, organisation["id"], *scopes) as provider:
        response = await provider.post(url(offer, "withdraw"))
    assert (response.status_code, response.json()["code"]) == (403, "station_only")
    assert (await admin.get(url(offer))).json()["status"] == "proposed"


async def test_a_retried_acceptance_replays_and_commits_once(admin, services, station, volunteer):
    request = await add_request(services, station["id"], quantity=2)
    offer = await add_offer(services, request, "volunteer", volunteer["id"])
    headers = {"Idempotency-Key": "accept-once"}

    first = await admin.post(url(offer, "accept"), headers=headers)
    again = await admin.post(url(offer, "accept"), headers=headers)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert (await load_request(services, request.id)).committed_quantity == 1


async def test_unknown_and_malformed_offers_are_404(admin):
    for target in (url({"id": NOBODY}), url({"id": NOBODY}, "accept"), "/v1/offers/nope/accept"):
        response = await (admin.get(target) if "accept" not in target else admin.post(target))
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


async def test_who_may_act_is_settled_before_whether_the_offer_lapsed(
    admin, app, services, station
):
    organisation = await create_partner_organisation(admin)
    offer = await add_offer(
        services,
        await add_request(services, station["id"]),
        "organisation",
        organisation["id"],
        expires_in=-timedelta(minutes=1),
    )
    scopes = (Scope.OFFERS_RESPOND, Scope.REQUESTS_WRITE)
    async with organisation_client(app, services, organisation["id"], *scopes) as provider:
        response = await provider.post(url(offer, "withdraw"))

    assert (response.status_code, response.json()["code"]) == (403, "station_only")
    assert await count_offers(services, id=offer.id, status="proposed") == 1
