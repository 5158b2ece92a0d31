"""/v1/offers/{id}/complete and /rate: what was delivered moves the request to fulfilled, takes
a charity resource's stock, writes each volunteer's hours to the ledger; the station rates once."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from service.db.tables import CharityResourceRecord
from service.domain.access import Scope
from tests.factories.offers import (
    add_offer,
    add_request,
    load_request,
    organisation_client,
    service_records,
    url,
)
from tests.factories.registry import create_station
from tests.factories.volunteers import (
    create_partner_organisation,
    create_resource,
    create_team,
    create_volunteer,
)

NOBODY = "00000000-0000-4000-8000-000000000000"
CHINA = timezone(timedelta(hours=8))


@pytest.fixture
async def station(admin) -> dict:
    return await create_station(admin)


@pytest.fixture
async def volunteer(admin) -> dict:
    return await create_volunteer(admin, name="李晓华")


async def accepted(admin, services, request, provider_type, provider_id, quantity=1):
    offer = await add_offer(services, request, provider_type, provider_id, quantity=quantity)
    response = await admin.post(url(offer, "accept"))
    assert response.status_code == 200, response.text
    return offer


async def stock(services, resource_id) -> int:
    async with services.database.session() as session:
        row = await session.execute(
            select(CharityResourceRecord.remaining_quantity).where(
                CharityResourceRecord.id == uuid.UUID(str(resource_id))
            )
        )
        return int(row.scalar_one())


# 01:30 on 11 October 2026 in Hangzhou, still the 10th in UTC: the ledger's date is Hangzhou's.
CHONGYANG_NIGHT = datetime(2026, 10, 10, 17, 30, tzinfo=UTC)


@pytest.fixture
def clock_at_chongyang(app, services) -> Iterator[datetime]:
    """The service's clock stands at CHONGYANG_NIGHT."""
    app.state.services = dataclasses.replace(services, clock=lambda: CHONGYANG_NIGHT)
    try:
        yield CHONGYANG_NIGHT
    finally:
        app.state.services = services


async def test_completing_a_volunteers_offer_fulfils_and_writes_the_ledger(
    services, make_client, station, volunteer, clock_at_chongyang
):
    request = await add_request(
        services,
        station["id"],
        quantity=1,
        title="重阳节独居老人探访",
        starts_at=clock_at_chongyang - timedelta(hours=1),
    )
    client = await make_client(
        Scope.REQUESTS_WRITE, station_id=station["id"], name="北山街道社工站"
    )
    offer = await accepted(client, services, request, "volunteer", volunteer["id"])

    response = await client.post(
        url(offer, "complete"),
        json={
            "actual_quantity": 1,
            "volunteer_hours": 2.5,
            "beneficiaries": 6,
            "outcome_note": "探访6户独居老人，排查燃气隐患2处。",
        },
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["actual_quantity"], body["volunteer_hours"]) == (
        "completed",
        1,
        2.5,
    )
    assert (body["beneficiaries"], body["outcome_note"]) == (
        6,
        "探访6户独居老人，排查燃气隐患2处。",
    )
    assert datetime.fromisoformat(body["completed_at"]) == clock_at_chongyang
    stored = await load_request(services, request.id)
    assert (stored.fulfilled_quantity, stored.committed_quantity, stored.status) == (
        1,
        1,
        "fulfilled",
    )
    [record] = await service_records(services)
    assert str(record.volunteer_id) == volunteer["id"]
    assert record.organisation_name == station["name"]
    assert record.project == "重阳节独居老人探访"
    assert record.hours == 2.5
    assert record.content == "探访6户独居老人，排查燃气隐患2处。"
    assert record.recorder == "北山街道社工站"
    assert record.service_date == date(2026, 10, 11)  # within the window: today, in Hangzhou


async def test_without_a_note_the_content_is_the_title(admin, services, station, volunteer):
    request = await add_request(services, station["id"], title="社区助老")
    offer = await accepted(admin, services, request, "volunteer", volunteer["id"])

    await admin.post(url(offer, "complete"), json={"actual_quantity": 1, "volunteer_hours": 1})

    [record] = await service_records(services)
    assert record.content == "社区助老"


async def test_the_request_is_fulfilled_when_every_accepted_offer_is_done(admin, services, station):
    request = await add_request(services, station["id"], quantity=2)
    first = await accepted(
        admin, services, request, "volunteer", (await create_volunteer(admin))["id"]
    )
    second = await accepted(
        admin, services, request, "volunteer", (await create_volunteer(admin, name="王芳"))["id"]
    )
    assert (await load_request(services, request.id)).status == "committed"

    done = {"actual_quantity": 1, "volunteer_hours": 2}
    assert (await admin.post(url(first, "complete"), json=done)).status_code == 200
    assert (await load_request(services, request.id)).status == "committed"
    assert (await admin.post(url(second, "complete"), json=done)).status_code == 200
    stored = await load_request(services, request.id)
    assert (stored.fulfilled_quantity, stored.status) == (2, "fulfilled")


async def test_a_shortfall_still_fulfils_once_nothing_is_outstanding(admin, services, station):
    request = await add_request(services, station["id"], quantity=3, category="goods", unit="items")
    organisation = await create_partner_organisation(  # no stated capacity: unlimited
        admin, service_categories=["goods"], capacity=None
    )
    offer = await accepted(admin, services, request, "organisation", organisation["id"], quantity=3)

    await admin.post(url(offer, "complete"), json={"actual_quantity": 2})

    stored = await load_request(services, request.id)
    assert (stored.fulfilled_quantity, stored.status) == (2, "fulfilled")
    assert await service_records(services) == []  # no volunteers, no ledger


async def test_a_team_records_hours_per_member(admin, services, station):
    team = await create_team(admin)
    members = [await create_volunteer(admin, name=name) for name in ("甲", "乙")]
    for member in members:
        put = await admin.put(
            f"/v1/volunteer-teams/{team['id']}/members/{member['id']}", json={"role": "member"}
        )
        assert put.status_code == 201, put.text  # added, not updated
    request = await add_request(services, station["id"], quantity=2)
    offer = await accepted(admin, services, request, "volunteer_team", team["id"], quantity=2)

    response = await admin.post(
        url(offer, "complete"),
        json={
            "actual_quantity": 2,
            "member_hours": [
                {"volunteer_id": members[0]["id"], "hours": 1.5},
                {"volunteer_id": members[1]["id"], "hours": 2},
            ],
        },
    )

    assert response.status_code == 200, response.text
    assert response.json()["volunteer_hours"] == 3.5
    records = await service_records(services)
    assert [(str(r.volunteer_id), r.hours) for r in records] == [
        (members[0]["id"], 1.5),
        (members[1]["id"], 2.0),
    ]


async def test_team_hours_name_members_once_and_add_up(admin, services, station):
    team = await create_team(admin)
    member = await create_volunteer(admin)
    outsider = await create_volunteer(admin, name="外人")
    await admin.put(
        f"/v1/volunteer-teams/{team['id']}/members/{member['id']}", json={"role": "member"}
    )
    request = await add_request(services, station["id"], quantity=2)
    offer = await accepted(admin, services, request, "volunteer_team", team["id"], quantity=2)

    cases = [
        ({"actual_quantity": 2}, "body.member_hours", "member_hours_required"),
        (
            {
                "actual_quantity": 2,
                "member_hours": [
                    {"volunteer_id": member["id"], "hours": 1},
                    {"volunteer_id": outsider["id"], "hours": 1},
                ],
            },
            "body.member_hours[1].volunteer_id",
            "not_a_member",
        ),
        (
            {
                "actual_quantity": 2,
                "member_hours": [
                    {"volunteer_id": member["id"], "hours": 1},
                    {"volunteer_id": member["id"], "hours": 1},
                ],
            },
            "body.member_hours[1].volunteer_id",
            "duplicate_member",
        ),
        (
            {
                "actual_quantity": 1,
                "volunteer_hours": 5,
                "member_hours": [{"volunteer_id": member["id"], "hours": 1}],
            },
            "body.volunteer_hours",
            "hours_mismatch",
        ),
    ]
    for body, field, code in cases:
        response = await admin.post(url(offer, "complete"), json=body)
        assert response.status_code == 422, (body, response.text)
        errors = {(e["field"], e["code"]) for e in response.json()["errors"]}
        assert (field, code) in errors, (body, errors)
    assert (await admin.get(url(offer))).json()["status"] == "accepted"
    assert await service_records(services) == []


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"actual_quantity": 1}, "body.volunteer_hours", 422),
        ({"actual_quantity": 2, "volunteer_hours": 1}, "body.actual_quantity", 422),
        ({"actual_quantity": 1, "volunteer_hours": 4}, "body.volunteer_hours", 422),  # window: 3 h
        (
            {
                "actual_quantity": 1,
                "volunteer_hours": 1,
                "member_hours": [{"volunteer_id": NOBODY, "hours": 1}],
            },
            "body.member_hours",
            422,
        ),
        (
            {"actual_quantity": 1, "volunteer_hours": 1, "service_date": "2020-01-01"},
            "body.service_date",
            422,
        ),
        ({"actual_quantity": -1, "volunteer_hours": 1}, "body.actual_quantity", 422),
        ({"actual_quantity": "1", "volunteer_hours": 1}, "body.actual_quantity", 422),
        ({"actual_quantity": 1, "volunteer_hours": -2}, "body.volunteer_hours", 422),
        (
            {"actual_quantity": 1, "volunteer_hours": 1, "outcome_note": ""},
            "body.outcome_note",
            422,
        ),
        (
            {"actual_quantity": 1, "volunteer_hours": 1, "service_date": 20260101},
            "body.service_date",
            422,
        ),
        ({"actual_quantity": 1, "volunteer_hours": 1, "rating": 5}, "body.rating", 422),
        ({"volunteer_hours": 1}, "body.actual_quantity", 422),
    ],
)
async def test_bad_completions_name_the_field_and_change_nothing(
    admin, services, station, volunteer, body, field, status
):
    request = await add_request(services, station["id"])
    offer = await accepted(admin, services, request, "volunteer", volunteer["id"])

    response = await admin.post(url(offer, "complete"), json=body)

    assert response.status_code == status, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    current = (await admin.get(url(offer))).json()
    assert (current["status"], current["version"]) == ("accepted", 2)
    assert (await load_request(services, request.id)).fulfilled_quantity == 0
    assert await service_records(services) == []


async def test_a_service_date_within_the_window_is_recorded(admin, services, station, volunteer):
    starts = datetime.now(UTC) - timedelta(days=3)
    request = await add_request(services, station["id"], starts_at=starts, lasts=timedelta(days=2))
    offer = await accepted(admin, services, request, "volunteer", volunteer["id"])
    first_day = starts.astimezone(CHINA).date()

    response = await admin.post(
        url(offer, "complete"),
        json={"actual_quantity": 1, "volunteer_hours": 3, "service_date": first_day.isoformat()},
    )

    assert response.status_code == 200, response.text
    [record] = await service_records(services)
    assert record.service_date == first_day


async def test_only_an_accepted_offer_is_completed(admin, services, station, volunteer):
    offer = await add_offer(
        services, await add_request(services, station["id"]), "volunteer", volunteer["id"]
    )

    response = await admin.post(
        url(offer, "complete"), json={"actual_quantity": 1, "volunteer_hours": 1}
    )

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["current_status"]) == (
        "illegal_transition",
        "proposed",
    )


async def test_work_is_completed_after_it_begins(admin, services, station, volunteer):
    request = await add_request(
        services, station["id"], starts_at=datetime.now(UTC) + timedelta(days=1)
    )
    offer = await accepted(admin, services, request, "volunteer", volunteer["id"])

    response = await admin.post(
        url(offer, "complete"), json={"actual_quantity": 1, "volunteer_hours": 1}
    )

    assert (response.status_code, response.json()["code"]) == (409, "service_not_started")


async def test_a_charity_resource_gives_what_it_delivered_and_never_below_zero(
    admin, services, station
):
    organisation = await create_partner_organisation(admin)
    resource = await create_resource(
        admin, organisation["id"], kind="goods", unit="items", total_quantity=100
    )
    request = await add_request(
        services, station["id"], quantity=200, category="goods", unit="items"
    )
    first = await accepted(
        admin, services, request, "charity_resource", resource["id"], quantity=60
    )

    response = await admin.post(url(first, "complete"), json={"actual_quantity": 50})

    assert response.status_code == 200, response.text
    assert await stock(services, resource["id"]) == 50
    second = await accepted(
        admin, services, request, "charity_resource", resource["id"], quantity=50
    )
    async with services.database.session() as session:  # someone else drew on it meanwhile
        record = await session.get(CharityResourceRecord, uuid.UUID(resource["id"]))
        record.remaining_quantity = 10
        await session.commit()

    response = await admin.post(url(second, "complete"), json={"actual_quantity": 40})

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["remaining_quantity"]) == (
        "resource_exhausted",
        10,
    )
    assert await stock(services, resource["id"]) == 10
    assert (await admin.get(url(second))).json()["status"] == "accepted"


async def test_only_the_station_completes_and_rates(admin, app, services, station):
    organisation = await create_partner_organisation(admin)
    request = await add_request(services, station["id"])
    offer = await accepted(admin, services, request, "organisation", organisation["id"])
    scopes = (Scope.OFFERS_RESPOND, Scope.REQUESTS_WRITE)
    async with organisation_client(app, services, organisation["id"], *scopes) as provider:
        response = await provider.post(url(offer, "complete"), json={"actual_quantity": 1})
        assert (response.status_code, response.json()["code"]) == (403, "station_only")
        response = await provider.post(url(offer, "rate"), json={"rating": 5})
        assert (response.status_code, response.json()["code"]) == (403, "station_only")
