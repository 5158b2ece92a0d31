"""Purpose-bound personal data: who reads whose names and contacts, what a search may learn, and
which share of the audit trail each auditor sees."""

from __future__ import annotations

import httpx
import pytest

from service.domain.access import Scope
from service.usecases.clients import create_client
from service.usecases.common import Services
from tests.factories.offers import add_offer, add_request
from tests.factories.partners import create_organisation, resident_id
from tests.factories.people import create_social_worker
from tests.factories.registry import BEISHAN, QINGBO, create_station
from tests.factories.volunteers import create_team, create_volunteer, volunteer_body

PURPOSE = {"X-Access-Purpose": "case follow-up"}


@pytest.fixture
async def stations(admin) -> tuple[str, str]:
    """Station A (北山街道) and station B (清波街道)."""
    return (await create_station(admin, BEISHAN))["id"], (await create_station(admin, QINGBO))["id"]


async def test_without_pii_read_every_name_of_a_person_is_masked(admin, make_client, stations):
    reader = await make_client(Scope.REGISTRY_READ, Scope.REQUESTS_READ)
    volunteer = await create_volunteer(admin, name="王小明")
    worker = await create_social_worker(admin, name="李四", station_id=stations[0])
    team = await create_team(admin)
    await admin.put(
        f"/v1/volunteer-teams/{team['id']}/members/{volunteer['id']}", json={"role": "leader"}
    )
    agency = await create_organisation(admin, contact_name="欧阳明月")

    shown = [
        (await reader.get(f"/v1/volunteers/{volunteer['id']}")).json()["name"],
        (await reader.get("/v1/volunteers")).json()["items"][0]["name"],
        (await reader.get(f"/v1/social-workers/{worker['id']}")).json()["name"],
        (await reader.get(f"/v1/volunteer-teams/{team['id']}/members")).json()["items"][0][
            "volunteer"
        ]["name"],
        (await reader.get(f"/v1/organisations/{agency['id']}")).json()["contact_name"],
    ]

    assert shown == ["王*明", "王*明", "李*", "王*明", "欧**月"]
    assert volunteer["name"] == "王*明"  # even to the admin that registered them


async def test_an_unbound_reader_of_personal_data_reads_every_name(admin, make_client):
    volunteer = await create_volunteer(admin, name="王小明")
    bureau = await make_client(Scope.REGISTRY_READ, Scope.PII_READ)

    assert (await bureau.get(f"/v1/volunteers/{volunteer['id']}")).json()["name"] == "王小明"


async def test_a_station_reads_its_own_people_and_those_serving_its_requests(
    admin, make_client, services, stations
):
    own, other = stations
    station = await make_client(
        Scope.REGISTRY_READ, Scope.REGISTRY_WRITE, Scope.PII_READ, station_id=own
    )
    recruited = await create_volunteer(station, name="张自招")  # stewarded by the station
    elsewhere = await create_volunteer(admin, name="赵他处")
    serving = await create_volunteer(admin, name="钱服务")
    staff = await create_social_worker(admin, name="孙本站", station_id=own)
    theirs = await create_social_worker(admin, name="周他站", station_id=other)
    request = await add_request(services, own)
    offer = await add_offer(services, request, "volunteer", serving["id"])

    async def contact(kind: str, person: dict) -> int:
        response = await station.get(f"/v1/{kind}/{person['id']}/contact", headers=PURPOSE)
        return response.status_code

    async def name(kind: str, person: dict) -> str:
        return str((await station.get(f"/v1/{kind}/{person['id']}")).json()["name"])

    assert await contact("volunteers", recruited) == 200
    assert await contact("volunteers", serving) == 200  # a live offer on its request
    assert await contact("social-workers", staff) == 200
    assert await contact("volunteers", elsewhere) == 404
    assert await contact("social-workers", theirs) == 404
    assert [await name("volunteers", p) for p in (recruited, serving, elsewhere)] == [
        "张自招",
        "钱服务",
        "赵*处",
    ]
    assert [await name("social-workers", p) for p in (staff, theirs)] == ["孙本站", "周*站"]

    declined = await admin.post(f"/v1/offers/{offer.id}/decline")
    assert declined.status_code == 200, declined.text
    assert await contact("volunteers", serving) == 404  # the reason to read them is gone
    assert await name("volunteers", serving) == "钱*务"


async def test_an_organisation_reads_the_people_it_keeps_or_employs(admin, make_client):
    agency = await create_organisation(admin)
    bound = await make_client(
        Scope.REGISTRY_READ, Scope.REGISTRY_WRITE, Scope.PII_READ, organisation_id=agency["id"]
    )
    kept = await create_volunteer(bound, name="吴自招")
    employed = await create_social_worker(
        bound, name="郑雇员", employer_organisation_id=agency["id"]
    )
    stranger = await create_volunteer(admin, name="王路人")

    assert kept["steward"] == {"type": "organisation", "id": agency["id"]}
    assert (kept["name"], employed["name"]) == ("吴自招", "郑雇员")
    gone = await bound.get(f"/v1/volunteers/{stranger['id']}/contact", headers=PURPOSE)
    assert gone.status_code == 404
    assert (await bound.get(f"/v1/organisations/{agency['id']}")).json()["contact_name"] == "王敏"


async def test_searching_by_name_needs_pii_read_and_finds_only_readable_people(
    admin, make_client, stations
):
    own, _ = stations
    await create_volunteer(admin, name="王小明")
    registry = await make_client(Scope.REGISTRY_READ)
    station = await make_client(
        Scope.REGISTRY_READ, Scope.REGISTRY_WRITE, Scope.PII_READ, station_id=own
    )
    recruited = await create_volunteer(station, name="王大明")

    refused = await registry.get("/v1/volunteers", params={"q": "王"})
    assert refused.status_code == 403
    assert refused.json()["required_scope"] == "pii:read"
    found = (await station.get("/v1/volunteers", params={"q": "明"})).json()["items"]
    assert [item["id"] for item in found] == [recruited["id"]]  # not the bureau's 王小明
    workers = await registry.get("/v1/social-workers", params={"q": "王"})
    assert workers.status_code == 403


async def test_the_de_masking_attack_is_refused_then_throttled_and_always_audited(
    admin, make_client, rate_limits
):
    """The attack that recovered an ID number: the masked copy shows the region, sequence and
    check digit, and ~1,000 searches over birth dates find the rest. Without pii:read every
    search is refused; with it, the identifier quota (30 a minute) stops it, and every search
    that ran is in the audit trail."""
    rate_limits(identifier_search="30/minute")
    number = resident_id(born="19850307")
    await create_volunteer(admin, id_number=number)
    guesses = [
        number[:6] + f"1985{1 + day // 28 % 12:02d}{1 + day % 28:02d}" + number[14:]
        for day in range(1000)
    ]

    registry = await make_client(Scope.REGISTRY_READ)
    refused = {
        (await registry.post("/v1/volunteers/search", json={"id_number": guess})).status_code
        for guess in guesses
    }
    assert refused == {403}

    searcher = await make_client(Scope.PII_READ, name="attacker")
    answers = []
    for guess in guesses[:40]:
        response = await searcher.post(
            "/v1/volunteers/search", json={"id_number": guess}, headers=PURPOSE
        )
        answers.append(response.status_code)
    ran = [status for status in answers if status != 429]
    assert len(ran) == 30 and set(answers[30:]) == {429}
    throttled = await searcher.post(
        "/v1/volunteers/search", json={"id_number": guesses[0]}, headers=PURPOSE
    )
    assert int(throttled.headers["retry-after"]) > 0
    auditor = await make_client(Scope.AUDIT)
    trail = await auditor.get(
        "/v1/audit-events",
        params={"client_id": str(searcher.client_id), "page_size": 200},
    )
    assert len(trail.json()["items"]) == ran.count(200)  # every search that ran, none other


async def test_a_station_search_finds_only_readable_people_but_every_search_is_audited(
    admin, make_client, stations
):
    own, other = stations
    station = await make_client(Scope.PII_READ, station_id=own)
    auditor = await make_client(Scope.AUDIT)
    theirs = await create_social_worker(
        admin, station_id=other, id_number=(number := resident_id())
    )

    found = await station.post(
        "/v1/social-workers/search", json={"id_number": number}, headers=PURPOSE
    )

    assert found.status_code == 200
    assert found.json() == {"items": []}  # it may not learn that the number is registered
    searches = {"action": "id_number.search", "client_id": str(station.client_id)}
    [event] = (await auditor.get("/v1/audit-events", params=searches)).json()["items"]
    assert (event["subject_id"], event["client_station_id"]) == (theirs["id"], own)


async def test_a_duplicate_id_number_names_the_record_only_to_who_may_read_it(
    admin, make_client, stations
):
    number = resident_id()
    first = await create_volunteer(admin, id_number=number)
    station = await make_client(Scope.REGISTRY_WRITE, Scope.PII_READ, station_id=stations[0])

    again = await station.post("/v1/volunteers", json=volunteer_body(id_number=number))

    assert again.status_code == 409
    assert "existing_volunteer_id" not in again.json()
    assert first["id"] not in again.text


async def test_a_bound_auditor_sees_its_binding_s_share_of_the_trail(admin, make_client, stations):
    own, other = stations
    ours = await create_social_worker(admin, station_id=own)
    theirs = await create_social_worker(admin, station_id=other)
    bureau = await make_client(Scope.PII_READ, name="bureau-reader")
    station_reader = await make_client(Scope.PII_READ, station_id=own, name="station-reader")
    for worker in (ours, theirs):
        assert (
            await bureau.get(f"/v1/social-workers/{worker['id']}/contact", headers=PURPOSE)
        ).status_code == 200
    assert (
        await station_reader.get(f"/v1/social-workers/{ours['id']}/contact", headers=PURPOSE)
    ).status_code == 200
    await station_reader.post(
        "/v1/volunteers/search", json={"id_number": resident_id()}, headers=PURPOSE
    )

    async def trail(auditor: httpx.AsyncClient) -> list[tuple[str, str | None]]:
        response = await auditor.get("/v1/audit-events")
        assert response.status_code == 200, response.text
        return [(e["client_name"], e["subject_id"]) for e in response.json()["items"]]

    everyone = [  # the trail outlives tests: this test's clients' events
        event
        for event in await trail(await make_client(Scope.AUDIT))
        if event[0] in ("bureau-reader", "station-reader")
        and event[1] in (None, ours["id"], theirs["id"])
    ]
    ours_only = await trail(await make_client(Scope.AUDIT, station_id=own))
    theirs_only = await trail(await make_client(Scope.AUDIT, station_id=other))

    assert len(everyone) == 4
    assert ours_only == [  # newest first: its own client's search and read, the bureau's read
        ("station-reader", None),
        ("station-reader", ours["id"]),
        ("bureau-reader", ours["id"]),
    ]
    assert theirs_only == [("bureau-reader", theirs["id"])]


@pytest.mark.parametrize(
    "scopes",
    [
        (Scope.PII_READ, Scope.AUDIT),
        (Scope.ADMIN, Scope.AUDIT),
        (Scope.REGISTRY_READ, Scope.PII_READ, Scope.AUDIT),
    ],
    ids=str,
)
async def test_no_client_holds_duties_kept_apart(services: Services, scopes):
    from service.domain.errors import RuleViolation

    with pytest.raises(RuleViolation) as refused:
        await create_client(services, name="both", scopes=scopes)
    assert refused.value.code == "separation_of_duties"


async def test_a_record_is_changed_by_its_steward_and_the_bureau_only(admin, make_client, stations):
    own, other = stations
    ours = await make_client(Scope.REGISTRY_WRITE, Scope.REGISTRY_READ, station_id=own)
    theirs = await make_client(Scope.REGISTRY_WRITE, Scope.REGISTRY_READ, station_id=other)
    volunteer = await create_volunteer(ours)
    url = f"/v1/volunteers/{volunteer['id']}"

    refused = await theirs.patch(url, json={"hours_per_week": 1}, headers={"If-Match": "*"})
    changed = await ours.patch(url, json={"hours_per_week": 1}, headers={"If-Match": "*"})
    by_bureau = await admin.patch(url, json={"hours_per_week": 2}, headers={"If-Match": "*"})

    assert refused.status_code == 403
    assert refused.json()["code"] == "outside_station_binding"
    assert (changed.status_code, by_bureau.status_code) == (200, 200)
    assert volunteer["steward"] == {"type": "station", "id": own}


async def test_writes_that_set_an_id_number_count_as_searches(admin, make_client, rate_limits):
    """A 409 on a registered number answers what a search would: such writes share its quota."""
    rate_limits(identifier_search="2/minute")
    writer = await make_client(Scope.REGISTRY_WRITE)
    for _ in range(2):
        created = await writer.post("/v1/volunteers", json=volunteer_body())
        assert created.status_code == 201, created.text
        assert '"identifier-search"' in created.headers["ratelimit-policy"]
    probe = await writer.post("/v1/volunteers", json=volunteer_body())
    assert probe.status_code == 429
    assert probe.json()["violated_policies"] == ["identifier-search"]
    no_number = await writer.post("/v1/volunteers", json=volunteer_body(id_number=None))
    assert no_number.status_code == 201  # nothing to probe
    patch = await writer.patch(
        f"/v1/volunteers/{no_number.json()['id']}",
        json={"id_number": resident_id()},
        headers={"If-Match": "*"},
    )
    assert patch.status_code == 429
