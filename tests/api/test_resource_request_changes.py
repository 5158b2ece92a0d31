"""/v1/resource-requests: changing, cancelling and closing a request; expiring the overdue."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from service.db.tables import OfferRecord, ResourceRequestRecord
from service.domain.access import Scope
from service.usecases.resource_requests import expire_overdue
from tests.api.test_conventions import assert_problem
from tests.factories.registry import QINGBO, create_station
from tests.factories.requests import create_request, window

URL = "/v1/resource-requests"


async def add_offer(
    services,
    request: dict,
    status: str,
    quantity: int = 1,
    *,
    expires_in: timedelta = timedelta(days=2),
) -> uuid.UUID:
    """Put an offer on a request as the offers module would, without its API."""
    now = datetime.now(UTC)
    offer = OfferRecord(
        id=uuid.uuid4(),
        request_id=uuid.UUID(request["id"]),
        station_id=uuid.UUID(request["station_id"]),
        provider_type="volunteer",
        provider_id=uuid.uuid4(),
        quantity=quantity,
        status=status,
        starts_at=datetime.fromisoformat(request["window"]["starts_at"]),
        ends_at=datetime.fromisoformat(request["window"]["ends_at"]),
        expires_at=now + expires_in,
        created_at=now,
        updated_at=now,
    )
    async with services.database.session() as session:
        session.add(offer)
        await session.commit()
    return offer.id


async def set_request(services, request: dict, **columns) -> None:
    """Move a request's counters and status as accepting and completing offers would."""
    async with services.database.session() as session:
        await session.execute(
            update(ResourceRequestRecord)
            .where(ResourceRequestRecord.id == uuid.UUID(request["id"]))
            .values(**columns)
        )
        await session.commit()


async def offer_statuses(services, request: dict | None = None) -> dict[uuid.UUID, str]:
    query = select(OfferRecord.id, OfferRecord.status)
    if request is not None:
        query = query.where(OfferRecord.request_id == uuid.UUID(request["id"]))
    async with services.database.session() as session:
        return {row.id: row.status for row in await session.execute(query)}


async def committed(admin, services, quantity: int = 5, taken: int = 2) -> dict:
    """A request of `quantity` with one accepted offer of `taken`: partially committed."""
    station = await create_station(admin)
    request = await create_request(admin, station["id"], quantity=quantity)
    await add_offer(services, request, "accepted", taken)
    status = "committed" if taken >= quantity else "partially_committed"
    await set_request(services, request, committed_quantity=taken, status=status)
    return request


# --- PATCH --------------------------------------------------------------------------------------


async def test_conditional_update(admin):
    station = await create_station(admin)
    request = await create_request(admin, station["id"])
    url = f"{URL}/{request['id']}"

    assert_problem(await admin.patch(url, json={"title": "x"}), 428, "precondition_required")
    changed = await admin.patch(
        url,
        json={
            "title": "周末助老探访",
            "description": None,
            "required_skills": ["meal_assistance"],
            "target_groups": ["elderly", "people_with_disabilities"],
            "urgency": "critical",
            "location": None,
            "quantity": 8,
            "window": window(timedelta(days=2), timedelta(days=3)),
        },
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert changed.headers["etag"] == '"2"'
    assert (body["title"], body["urgency"], body["quantity"]) == ("周末助老探访", "critical", 8)
    assert body["description"] is None and body["location"] is None
    assert body["target_groups"] == ["elderly", "people_with_disabilities"]
    assert body["quantity_left"] == 8 and body["status"] == "open"
    assert body["window"] != request["window"]
    assert (await admin.get(url)).json() == body

    stale = await admin.patch(url, json={"title": "y"}, headers={"If-Match": '"1"'})
    assert_problem(stale, 412, "version_mismatch")
    same = await admin.patch(url, json={"title": "周末助老探访"}, headers={"If-Match": '"2"'})
    assert same.json()["version"] == 2  # nothing changed, no new version


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "goods"}, "body.category"),
        ({"unit": "hours"}, "body.unit"),
        ({"station_id": "00000000-0000-4000-8000-000000000000"}, "body.station_id"),
        ({"division_code": "330106002051"}, "body.division_code"),
        ({"office_id": None}, "body.office_id"),
        ({"status": "closed"}, "body.status"),
        ({"committed_quantity": 0}, "body.committed_quantity"),
        ({"title": None}, "body.title"),
        ({"quantity": None}, "body.quantity"),
        ({"quantity": 0}, "body.quantity"),
        ({"window": None}, "body.window"),
        ({"window": {"starts_at": "2030-01-01T09:00:00", "ends_at": "2030-01-02T09:00:00Z"}}, None),
        ({"location": {"lat": 31.23, "lon": 121.47}}, "body.location"),
        ({"window": window(timedelta(days=-3), timedelta(days=1))}, "body.window.ends_at"),
        ({"window": window(timedelta(days=1), timedelta(days=400))}, "body.window.ends_at"),
    ],
)
async def test_what_never_changes_or_is_wrong_is_422_and_changes_nothing(admin, change, field):
    station = await create_station(admin)
    request = await create_request(admin, station["id"])
    url = f"{URL}/{request['id']}"

    response = await admin.patch(url, json=change, headers={"If-Match": "*"})

    assert response.status_code == 422, response.text
    fields = [error["field"] for error in response.json()["errors"]]
    assert field in fields if field else any(f.startswith("body.window") for f in fields)
    assert (await admin.get(url)).json() == request


async def test_the_quantity_never_falls_below_the_commitment(admin, services):
    request = await committed(admin, services, quantity=5, taken=2)
    url = f"{URL}/{request['id']}"

    problem = assert_problem(
        await admin.patch(url, json={"quantity": 1}, headers={"If-Match": "*"}),
        409,
        "quantity_below_commitment",
    )
    assert problem["committed_quantity"] == 2

    more = await admin.patch(url, json={"quantity": 9}, headers={"If-Match": "*"})
    assert (more.json()["status"], more.json()["quantity_left"]) == ("partially_committed", 7)
    exact = await admin.patch(url, json={"quantity": 2}, headers={"If-Match": "*"})
    assert exact.status_code == 200, exact.text
    assert (exact.json()["status"], exact.json()["quantity_left"]) == ("committed", 0)


async def test_the_window_moves_only_while_nothing_holds_a_provider(admin, services):
    request = await committed(admin, services)
    problem = assert_problem(
        await admin.patch(
            f"{URL}/{request['id']}",
            json={"window": window(timedelta(days=3))},
            headers={"If-Match": "*"},
        ),
        409,
        "window_locked",
    )
    assert problem["committed_quantity"] == 2
    # but what is not the window still changes
    urgent = await admin.patch(
        f"{URL}/{request['id']}", json={"urgency": "high"}, headers={"If-Match": "*"}
    )
    assert urgent.status_code == 200, urgent.text

    station = await create_station(admin, QINGBO)
    proposed = await create_request(admin, station["id"], division_code=QINGBO)
    await add_offer(services, proposed, "proposed")
    url = f"{URL}/{proposed['id']}"
    problem = assert_problem(
        await admin.patch(
            url, json={"window": window(timedelta(days=3))}, headers={"If-Match": "*"}
        ),
        409,
        "window_locked",
    )
    assert problem["live_offers"] == 1
    unchanged = {"window": proposed["window"], "title": "新标题"}
    assert (await admin.patch(url, json=unchanged, headers={"If-Match": "*"})).status_code == 200


@pytest.mark.parametrize("status", ["committed", "fulfilled", "closed", "cancelled", "expired"])
async def test_only_open_and_partially_committed_requests_change(admin, services, status):
    station = await create_station(admin)
    request = await create_request(admin, station["id"])
    await set_request(services, request, status=status)

    response = await admin.patch(
        f"{URL}/{request['id']}", json={"title": "改"}, headers={"If-Match": "*"}
    )

    problem = assert_problem(response, 409, "request_not_editable")
    assert problem["current_status"] == status


async def test_another_stations_request_is_404_to_a_bound_client(admin, make_client):
    station = await create_station(admin)
    other = await create_station(admin, QINGBO)
    request = await create_request(admin, station["id"])
    stranger = await make_client(Scope.REQUESTS_WRITE, station_id=other["id"])
    url = f"{URL}/{request['id']}"

    assert_problem(
        await stranger.patch(url, json={"title": "x"}, headers={"If-Match": "*"}), 404, "not_found"
    )
    assert_problem(await stranger.post(f"{url}/cancel"), 404, "not_found")
    assert_problem(await stranger.post(f"{url}/close"), 404, "not_found")
    assert (await admin.get(url)).json() == request

    own = await make_client(Scope.REQUESTS_WRITE, station_id=station["id"])
    assert (await own.post(f"{url}/cancel")).json()["status"] == "cancelled"


# --- cancel and close ---------------------------------------------------------------------------


async def test_cancelling_withdraws_the_live_offers_only(admin, services):
    request = await committed(admin, services, quantity=5, taken=2)
    proposed = await add_offer(services, request, "proposed", 1)
    declined = await add_offer(services, request, "declined", 1)
    station = await create_station(admin, QINGBO)
    other = await create_request(admin, station["id"], division_code=QINGBO)
    untouched = await add_offer(services, other, "proposed", 1)

    response = await admin.post(f"{URL}/{request['id']}/cancel")

    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["version"] == request["version"] + 1
    assert response.headers["etag"] == f'"{cancelled["version"]}"'
    assert cancelled["committed_quantity"] == 0  # the accepted 2 were released
    statuses = await offer_statuses(services, request)
    assert statuses[proposed] == "withdrawn" and statuses[declined] == "declined"
    assert sorted(statuses.values()) == ["declined", "withdrawn", "withdrawn"]
    assert (await offer_statuses(services, other))[untouched] == "proposed"

    again = await admin.post(f"{URL}/{request['id']}/cancel")  # already done: nothing moves
    assert again.status_code == 200
    assert again.json()["version"] == cancelled["version"]


@pytest.mark.parametrize(
    ("status", "action", "allowed"),
    [
        ("open", "cancel", True),
        ("partially_committed", "cancel", True),
        ("committed", "cancel", True),
        ("fulfilled", "cancel", False),
        ("closed", "cancel", False),
        ("expired", "cancel", False),
        ("fulfilled", "close", True),
        ("open", "close", False),
        ("partially_committed", "close", False),
        ("committed", "close", False),
        ("cancelled", "close", False),
        ("expired", "close", False),
    ],
)
async def test_moves_follow_the_state_machine(admin, services, status, action, allowed):
    station = await create_station(admin)
    request = await create_request(admin, station["id"])
    await set_request(services, request, status=status)

    response = await admin.post(f"{URL}/{request['id']}/{action}")

    if allowed:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == {"cancel": "cancelled", "close": "closed"}[action]
    else:
        problem = assert_problem(response, 409, "illegal_transition")
        assert problem["current_status"] == status
        assert (await admin.get(f"{URL}/{request['id']}")).json()["status"] == status


async def test_closing_releases_an_offer_still_live(admin, services):
    station = await create_station(admin)
    request = await create_request(admin, station["id"])
    leftover = await add_offer(services, request, "proposed")
    await set_request(services, request, status="fulfilled", fulfilled_quantity=5)

    closed = (await admin.post(f"{URL}/{request['id']}/close")).json()

    assert closed["status"] == "closed"
    assert (await offer_statuses(services, request))[leftover] == "withdrawn"


async def test_a_move_replays_under_its_idempotency_key(admin, make_client):
    station = await create_station(admin)
    request = await create_request(admin, station["id"])
    url = f"{URL}/{request['id']}/cancel"
    headers = {"Idempotency-Key": "cancel-1"}

    first = await admin.post(url, headers=headers)
    again = await admin.post(url, headers=headers)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    reused = await admin.post(f"{URL}/{request['id']}/close", headers=headers)
    assert_problem(reused, 422, "idempotency_key_reused")

    reader = await make_client(Scope.REQUESTS_READ)
    assert_problem(await reader.post(url), 403, "insufficient_scope")
    assert_problem(
        await admin.post(f"{URL}/00000000-0000-4000-8000-000000000000/cancel"), 404, "not_found"
    )


# --- expiry -------------------------------------------------------------------------------------


async def test_expiry_marks_the_overdue_and_nothing_else(admin, services):
    station = await create_station(admin)
    soon = window(timedelta(hours=1), timedelta(hours=2))
    overdue = await create_request(admin, station["id"], window=soon)
    doomed_offer = await add_offer(services, overdue, "proposed", expires_in=timedelta(days=9))
    answered = await create_request(admin, station["id"], window=soon)
    accepted = await add_offer(services, answered, "accepted", 2)
    await set_request(services, answered, committed_quantity=2, status="partially_committed")
    later = await create_request(admin, station["id"], window=window(timedelta(days=2)))
    stale_offer = await add_offer(services, later, "proposed", expires_in=timedelta(hours=1))
    fresh_offer = await add_offer(services, later, "proposed", expires_in=timedelta(days=1))
    cancelled = await create_request(admin, station["id"], window=soon)
    await admin.post(f"{URL}/{cancelled['id']}/cancel")

    in_five_hours = dataclasses.replace(
        services, clock=lambda: datetime.now(UTC) + timedelta(hours=5)
    )
    assert await expire_overdue(in_five_hours) == 3  # one request, two offers

    async def shown(request):
        return (await admin.get(f"{URL}/{request['id']}")).json()

    expired = await shown(overdue)
    assert (expired["status"], expired["version"]) == ("expired", 2)
    assert (await shown(answered))["status"] == "partially_committed"
    assert (await shown(later))["status"] == "open"
    assert (await shown(cancelled))["status"] == "cancelled"
    statuses = await offer_statuses(services)
    assert statuses[doomed_offer] == "expired"  # its request expired
    assert statuses[stale_offer] == "expired"  # its own time ran out
    assert statuses[fresh_offer] == "proposed"
    assert statuses[accepted] == "accepted"

    assert await expire_overdue(in_five_hours) == 0  # nothing left to do
    assert await expire_overdue(services) == 0  # now, nothing is overdue
