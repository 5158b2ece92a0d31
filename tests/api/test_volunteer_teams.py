"""/v1/volunteer-teams: teams, their leading organisation, and members with one leader at most."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from service.db.tables import VolunteerTeamMemberRecord
from service.domain.errors import Conflict
from service.usecases.common import unit_of_work
from tests.factories.volunteers import (
    create_partner_organisation,
    create_team,
    create_volunteer,
    team_body,
)

NOBODY = "00000000-0000-4000-8000-000000000000"


async def count(client) -> int:
    response = await client.get("/v1/volunteer-teams", params={"page_size": 200})
    return len(response.json()["items"])


def member_url(team: dict, volunteer: dict | str) -> str:
    volunteer_id = volunteer if isinstance(volunteer, str) else volunteer["id"]
    return f"/v1/volunteer-teams/{team['id']}/members/{volunteer_id}"


async def test_registering_a_team_led_by_an_organisation(admin):
    organisation = await create_partner_organisation(admin)
    response = await admin.post(
        "/v1/volunteer-teams", json=team_body(leading_organisation_id=organisation["id"])
    )

    assert response.status_code == 201, response.text
    team = response.json()
    assert team["leading_organisation_id"] == organisation["id"]
    assert (team["capacity_people"], team["status"], team["version"]) == (12, "active", 1)
    assert response.headers["location"] == f"/v1/volunteer-teams/{team['id']}"
    assert (await admin.get(response.headers["location"])).json() == team


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"leading_organisation_id": NOBODY}, "leading_organisation_id"),
        ({"leading_organisation_id": "not-a-uuid"}, "body.leading_organisation_id"),
        ({"service_area": ["330106999"]}, "service_area[0]"),
        ({"skills": ["juggling"]}, "body.skills[0]"),
        ({"capacity_people": -1}, "body.capacity_people"),
        ({"capacity_people": 10**20}, "body.capacity_people"),
        ({"name": ""}, "body.name"),
        ({"name": "队\x00"}, "body.name"),
        ({"status": "dissolved"}, "body.status"),
        ({"members": []}, "body.members"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(admin, overrides, field):
    response = await admin.post("/v1/volunteer-teams", json=team_body(**overrides))

    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await count(admin) == 0


async def test_filters(admin):
    organisation = await create_partner_organisation(admin)
    led = await create_team(
        admin,
        name="甲队",
        leading_organisation_id=organisation["id"],
        skills=["first_aid"],
        service_area=["330106"],
    )
    await create_team(
        admin, name="乙队", skills=["legal_aid"], service_area=["330102001"], status="inactive"
    )

    async def names(**params):
        response = await admin.get("/v1/volunteer-teams", params=params)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert sorted(await names()) == sorted(["甲队", "乙队"])
    assert await names(division_code="330106002") == [led["name"]]
    assert await names(division_code="330102001051") == ["乙队"]  # a community of 清波街道
    assert await names(division_code="330102") == []  # a district-wide need is wider
    assert await names(division_code="330100") == []  # no such district: nobody covers it
    assert await names(skill="legal_aid") == ["乙队"]
    assert await names(status="active") == ["甲队"]
    assert await names(leading_organisation_id=organisation["id"]) == ["甲队"]
    assert await names(q="乙") == ["乙队"]


async def test_conditional_update(admin):
    organisation = await create_partner_organisation(admin)
    team = await create_team(admin, leading_organisation_id=organisation["id"])
    url = f"/v1/volunteer-teams/{team['id']}"

    assert (await admin.patch(url, json={"capacity_people": 3})).status_code == 428
    changed = await admin.patch(
        url,
        json={"capacity_people": None, "leading_organisation_id": None, "name": "新队名"},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["capacity_people"], body["leading_organisation_id"]) == (None, None)
    assert (body["name"], body["version"]) == ("新队名", 2)
    assert (
        await admin.patch(url, json={"name": "x"}, headers={"If-Match": '"1"'})
    ).status_code == 412
    unchanged = await admin.patch(url, json={"name": "新队名"}, headers={"If-Match": "*"})
    assert unchanged.json()["version"] == 2
    fetched = await admin.get(url)
    assert (
        await admin.get(url, headers={"If-None-Match": fetched.headers["etag"]})
    ).status_code == 304


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"leading_organisation_id": NOBODY}, "leading_organisation_id"),
        ({"service_area": ["330199"]}, "service_area[0]"),
        ({"name": None}, "body.name"),
        ({"capacity_people": -5}, "body.capacity_people"),
    ],
)
async def test_a_bad_update_names_the_field_and_changes_nothing(admin, changes, field):
    team = await create_team(admin)
    url = f"/v1/volunteer-teams/{team['id']}"

    response = await admin.patch(url, json=changes, headers={"If-Match": "*"})

    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert (await admin.get(url)).json() == team


async def test_members_join_change_role_and_leave_and_each_change_bumps_the_team(admin):
    team = await create_team(admin)
    volunteer = await create_volunteer(admin, phone="13912345678")
    team_url = f"/v1/volunteer-teams/{team['id']}"

    added = await admin.put(member_url(team, volunteer), json={"role": "member"})
    assert added.status_code == 201, added.text
    assert added.json()["volunteer"] == volunteer  # the masked record
    assert added.json()["role"] == "member"
    assert added.json()["joined_on"]
    assert "13912345678" not in added.text
    assert (await admin.get(team_url)).json()["version"] == 2

    again = await admin.put(member_url(team, volunteer), json={"role": "member"})
    assert again.status_code == 200
    assert (await admin.get(team_url)).json()["version"] == 2  # nothing changed

    promoted = await admin.put(member_url(team, volunteer), json={"role": "leader"})
    assert (promoted.status_code, promoted.json()["role"]) == (200, "leader")
    assert promoted.json()["joined_on"] == added.json()["joined_on"]
    assert (await admin.get(team_url)).json()["version"] == 3
    assert (await admin.get(member_url(team, volunteer))).json() == promoted.json()

    removed = await admin.delete(member_url(team, volunteer))
    assert removed.status_code == 204
    assert (await admin.get(team_url)).json()["version"] == 4
    gone = await admin.delete(member_url(team, volunteer))
    assert (gone.status_code, gone.json()["code"]) == (404, "not_a_member")
    assert (await admin.get(member_url(team, volunteer))).json()["code"] == "not_a_member"


async def test_a_team_has_one_leader_at_most(admin):
    team = await create_team(admin)
    first, second = (
        await create_volunteer(admin, name="甲"),
        await create_volunteer(admin, name="乙"),
    )
    await admin.put(member_url(team, first), json={"role": "leader"})
    await admin.put(member_url(team, second), json={"role": "member"})

    refused = await admin.put(member_url(team, second), json={"role": "leader"})

    assert refused.status_code == 409
    assert refused.json()["code"] == "team_has_leader"
    assert refused.json()["leader_volunteer_id"] == first["id"]
    members = (await admin.get(f"/v1/volunteer-teams/{team['id']}/members")).json()["items"]
    roles = {m["volunteer"]["id"]: m["role"] for m in members}
    assert roles == {first["id"]: "leader", second["id"]: "member"}

    await admin.put(member_url(team, first), json={"role": "member"})
    handed_over = await admin.put(member_url(team, second), json={"role": "leader"})
    assert handed_over.status_code == 200


async def test_concurrent_leaders_one_wins(admin):
    team = await create_team(admin)
    volunteers = [await create_volunteer(admin, name=f"候选{index}") for index in range(5)]

    responses = await asyncio.gather(
        *(admin.put(member_url(team, v), json={"role": "leader"}) for v in volunteers)
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 409, 409, 409, 409]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"team_has_leader"}
    members = (await admin.get(f"/v1/volunteer-teams/{team['id']}/members")).json()["items"]
    assert [m["role"] for m in members] == ["leader"]


async def test_the_database_refuses_a_second_leader(admin, services):
    team = await create_team(admin)
    first, second = await create_volunteer(admin), await create_volunteer(admin)
    await admin.put(member_url(team, first), json={"role": "leader"})

    with pytest.raises(Conflict) as raised:
        async with unit_of_work(services.database) as session:
            session.add(
                VolunteerTeamMemberRecord(
                    team_id=uuid.UUID(team["id"]),
                    volunteer_id=uuid.UUID(second["id"]),
                    role="leader",
                    joined_on=services.clock().date(),
                )
            )

    assert raised.value.code == "team_has_leader"


@pytest.mark.parametrize(
    ("team_id", "volunteer_id", "code"),
    [(NOBODY, None, "not_found"), (None, NOBODY, "volunteer_not_found")],
)
async def test_unknown_team_or_volunteer_is_404(admin, team_id, volunteer_id, code):
    team = await create_team(admin)
    volunteer = await create_volunteer(admin)
    url = member_url({"id": team_id or team["id"]}, volunteer_id or volunteer["id"])

    response = await admin.put(url, json={"role": "member"})

    assert (response.status_code, response.json()["code"]) == (404, code)
    assert (await admin.get(f"/v1/volunteer-teams/{team['id']}")).json()["version"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"role": "captain"}, "body.role"), ({}, "body.role"), ({"role": "member", "x": 1}, "body.x")],
)
async def test_a_bad_membership_names_the_field(admin, body, field):
    team, volunteer = await create_team(admin), await create_volunteer(admin)
    response = await admin.put(member_url(team, volunteer), json=body)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    listed = await admin.get(f"/v1/volunteer-teams/{team['id']}/members")
    assert listed.json()["items"] == []


async def test_members_page_in_the_order_they_joined(admin):
    team = await create_team(admin)
    joined = []
    for index in range(5):
        volunteer = await create_volunteer(admin, name=f"队员{index}")
        await admin.put(member_url(team, volunteer), json={"role": "member"})
        joined.append(volunteer["id"])
    url = f"/v1/volunteer-teams/{team['id']}/members"

    ids, token = [], None
    while True:
        params = {"page_size": 2} | ({"page_token": token} if token else {})
        page = await admin.get(url, params=params)
        assert page.status_code == 200, page.text
        ids += [item["volunteer"]["id"] for item in page.json()["items"]]
        if (token := page.json()["next_page_token"]) is None:
            break

    assert ids == sorted(joined)  # all joined today: the day, then the volunteer's id
    other = await create_team(admin, name="另一队")
    first = (await admin.get(url, params={"page_size": 2})).json()
    foreign = await admin.get(
        f"/v1/volunteer-teams/{other['id']}/members",
        params={"page_token": first["next_page_token"]},
    )
    assert foreign.status_code == 400
    assert (await admin.get(f"/v1/volunteer-teams/{NOBODY}/members")).status_code == 404


async def test_a_page_of_members_costs_the_same_whatever_its_length(admin, count_queries):
    team = await create_team(admin)
    for index in range(6):
        volunteer = await create_volunteer(admin, name=f"甲{index}")
        await admin.put(member_url(team, volunteer), json={"role": "member"})

    counter = count_queries()
    response = await admin.get(f"/v1/volunteer-teams/{team['id']}/members")

    assert len(response.json()["items"]) == 6
    assert len(counter.statements) == 3  # the API key, the team, then the page
