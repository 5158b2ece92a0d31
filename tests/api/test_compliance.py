"""GET /v1/stations/{id}/compliance and /v1/offices/{id}/compliance: the facts each rule reads
from the registry and the records, and who may read the verdicts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from service.db.tables import StationRecord
from service.domain.access import Scope
from tests.factories.compliance import add_session, add_training
from tests.factories.graph import add_social_worker, add_university, agency, create_linkage
from tests.factories.registry import (
    BEISHAN,
    NON_TOWNSHIP_UNIT,
    QINGBO,
    communities_of,
    create_office,
    create_station,
)

CHINA = timezone(timedelta(hours=8))
AS_OF = date(2026, 6, 30)
QUARTER_START = date(2026, 3, 31)  # the three months ending on AS_OF
YEAR_START = date(2025, 7, 1)  # the twelve months ending on AS_OF
TONGJUN = "330122003"  # 桐庐县 桐君街道: a county's, so rural (R16)
XIXI = "330106004"  # 西湖区 西溪街道: urban
EVERYTHING = {
    "facilities": [
        "casework_room",
        "group_activity_room",
        "multifunction_room",
        "archive_room",
        "service_window",
    ],
    "management_systems": ["posts", "finance", "training", "volunteers", "archives"],
    "service_items": [
        {"title": "低保走访", "category": "social_assistance"},
        {"title": "未成年人保护", "category": "minor_protection"},
        {"title": "慈善孵化", "category": "charity_incubation"},
        {"title": "社会组织孵化", "category": "social_organisation_incubation"},
    ],
}


@dataclass
class Station:
    """A station built to pass every rule, and what it was built from."""

    id: str
    workers: list[uuid.UUID] = field(default_factory=list)
    contract: dict = field(default_factory=dict)
    supervision: dict = field(default_factory=dict)
    pairing: dict = field(default_factory=dict)


async def verdicts(client, station_id, as_of: date = AS_OF) -> dict:
    response = await client.get(
        f"/v1/stations/{station_id}/compliance", params={"as_of": as_of.isoformat()}
    )
    assert response.status_code == 200, response.text
    return {finding["rule"]: finding for finding in response.json()["verdicts"]}


def verdict(found: dict, rule: str) -> str:
    return found[rule]["verdict"]


@pytest.fixture
async def station(admin, services) -> Station:
    """北山街道's station: three full-time certified workers (one intermediate) trained 72
    hours, an operating contract, a university supervising it with a session in the quarter,
    and a pairing with a county's station."""
    created = await create_station(admin, BEISHAN, **EVERYTHING)
    built = Station(created["id"])
    for level in ("intermediate", "assistant", "assistant"):
        worker = await add_social_worker(services, station_id=built.id, certificate_level=level)
        await add_training(services, worker, YEAR_START, 72)
        built.workers.append(worker)
    built.contract = await create_linkage(
        admin, built.id, "organisation", await agency(admin), "operating_contract"
    )
    university = await add_university(services)
    built.supervision = await create_linkage(
        admin, built.id, "university", university, "supervision"
    )
    await add_session(services, built.id, QUARTER_START, supervisor=("university", university))
    rural = await create_station(admin, TONGJUN)
    built.pairing = await create_linkage(admin, built.id, "station", rural["id"], "pairing")
    return built


async def test_a_station_that_keeps_every_rule_passes_every_rule(admin, station):
    response = await admin.get(
        f"/v1/stations/{station.id}/compliance", params={"as_of": AS_OF.isoformat()}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["as_of"] == AS_OF.isoformat()
    assert body["overall"] == "pass"
    rules = ["R1", "R2", "R3", "R4", "R6", "R7", "R8", "R9", "R10", "R11", "R16", "R18"]
    assert [f["rule"] for f in body["verdicts"]] == rules
    assert {f["rule"]: f["verdict"] for f in body["verdicts"]} == dict.fromkeys(rules, "pass")
    assert body["counts"] == {"pass": 12, "fail": 0, "advisory": 0, "not_applicable": 0}
    assert body["training_thresholds"] == {"assistant": 72, "intermediate": 72, "senior": 72}
    r3 = next(f for f in body["verdicts"] if f["rule"] == "R3")
    assert r3["key_figure"] == {"name": "full_time_certified", "value": 3}
    assert r3["title_zh"] == "专职持证社会工作者不少于3人"


async def test_r1_reads_the_stored_name(admin, services, station):
    async with services.database.session() as session:
        await session.execute(
            update(StationRecord)
            .where(StationRecord.id == uuid.UUID(station.id))
            .values(name="北山社工站")
        )
        await session.commit()
    found = await verdicts(admin, station.id)
    assert verdict(found, "R1") == "fail"
    assert found["R1"]["evidence"]["official_name"] == "杭州市西湖区北山街道社会工作站"


async def test_r2_a_station_in_a_unit_that_takes_none_fails(admin, services, station):
    async with services.database.session() as session:
        await session.execute(
            update(StationRecord)
            .where(StationRecord.id == uuid.UUID(station.id))
            .values(township_code=NON_TOWNSHIP_UNIT, district_code=NON_TOWNSHIP_UNIT[:6])
        )
        await session.commit()
    found = await verdicts(admin, station.id)
    assert verdict(found, "R2") == "fail"
    assert found["R2"]["evidence"]["township_needs_station"] is False


@pytest.mark.parametrize(
    "change",
    [
        {"employment": "part_time"},
        {"certificate_level": "none", "certificate_number": None},
        {"status": "inactive"},
    ],
)
async def test_r3_counts_active_full_time_certified_workers_only(admin, station, change):
    response = await admin.patch(
        f"/v1/social-workers/{station.workers[1]}", json=change, headers={"If-Match": "*"}
    )
    assert response.status_code == 200, response.text
    found = await verdicts(admin, station.id)
    assert verdict(found, "R3") == "fail"
    assert found["R3"]["key_figure"]["value"] == 2


async def test_r3_counts_the_station_s_own_workers(admin, services, station):
    qingbo = await create_station(admin, QINGBO)
    await add_social_worker(services, station_id=qingbo["id"])
    found = await verdicts(admin, qingbo["id"])
    assert found["R3"]["evidence"]["full_time_certified"] == 1
    assert (await verdicts(admin, station.id))["R3"]["evidence"]["full_time_certified"] == 3


async def test_r4_without_an_intermediate_worker_is_advice(admin, station):
    await admin.patch(
        f"/v1/social-workers/{station.workers[0]}",
        json={"certificate_level": "assistant"},
        headers={"If-Match": "*"},
    )
    assert verdict(await verdicts(admin, station.id), "R4") == "advisory"


@pytest.mark.parametrize(
    ("change", "rule", "expected", "missing"),
    [
        ({"facilities": EVERYTHING["facilities"][1:]}, "R6", "fail", ["casework_room"]),
        (
            {"management_systems": ["posts"]},
            "R7",
            "fail",
            ["finance", "training", "volunteers", "archives"],
        ),
        ({"facilities": EVERYTHING["facilities"][:4]}, "R8", "fail", None),
        ({"service_items": []}, "R8", "fail", None),
        (
            {"service_items": EVERYTHING["service_items"][:1]},
            "R18",
            "advisory",
            ["minor_protection", "charity_incubation", "social_organisation_incubation"],
        ),
    ],
)
async def test_rooms_systems_window_and_services(admin, station, change, rule, expected, missing):
    response = await admin.patch(
        f"/v1/stations/{station.id}", json=change, headers={"If-Match": "*"}
    )
    assert response.status_code == 200, response.text
    found = await verdicts(admin, station.id)
    assert verdict(found, rule) == expected
    if missing is not None:
        assert found[rule]["evidence"]["missing"] == missing


async def test_r9_the_contract_must_be_active_on_the_day(admin, station):
    assert verdict(await verdicts(admin, station.id, date(2024, 12, 31)), "R9") == "fail"
    ended = await admin.patch(
        f"/v1/linkages/{station.contract['id']}",
        json={"status": "ended"},
        headers={"If-Match": "*"},
    )
    assert ended.status_code == 200, ended.text
    found = await verdicts(admin, station.id)
    assert verdict(found, "R9") == "fail"
    assert found["R9"]["evidence"]["active_operating_contracts"] == 0


async def test_r9_township_posts_need_no_contract(admin, services):
    created = await create_station(admin, QINGBO, operating_mode="township_posts")
    assert verdict(await verdicts(admin, created["id"]), "R9") == "pass"


async def test_r10_the_quarter_ends_on_the_day_judged(admin, services, station):
    day_before = QUARTER_START - timedelta(days=1)
    assert verdict(await verdicts(admin, station.id), "R10") == "pass"
    found = await verdicts(admin, station.id, AS_OF + timedelta(days=1))
    assert verdict(found, "R10") == "fail"
    assert found["R10"]["evidence"]["quarter"] == {"from": "2026-04-02", "to": "2026-07-01"}
    assert found["R10"]["evidence"]["last_session_on"] == QUARTER_START.isoformat()
    assert verdict(await verdicts(admin, station.id, day_before), "R10") == "fail"


async def test_r10_a_withdrawn_session_does_not_count(admin, services):
    created = await create_station(admin, QINGBO, **EVERYTHING)
    university = await add_university(services)
    await create_linkage(admin, created["id"], "university", university, "supervision")
    await add_session(services, created["id"], AS_OF, status="withdrawn")
    found = await verdicts(admin, created["id"])
    assert verdict(found, "R10") == "fail"
    assert found["R10"]["evidence"]["sessions_in_quarter"] == 0


async def test_r10_needs_an_active_supervision_linkage(admin, station):
    await admin.patch(
        f"/v1/linkages/{station.supervision['id']}",
        json={"status": "suspended"},
        headers={"If-Match": "*"},
    )
    found = await verdicts(admin, station.id)
    assert verdict(found, "R10") == "fail"
    assert found["R10"]["evidence"]["supervision_linkages"] == []


async def test_r10_a_short_term_is_advice(admin, station):
    await admin.patch(
        f"/v1/linkages/{station.supervision['id']}",
        json={"ends_on": "2026-12-31"},
        headers={"If-Match": "*"},
    )
    found = await verdicts(admin, station.id)
    assert verdict(found, "R10") == "advisory"
    assert [a["code"] for a in found["R10"]["evidence"]["tenure_advice"]] == [
        "supervision_term_short"
    ]


async def test_r11_sums_the_year_s_recorded_hours(admin, pii_admin, services, station):
    worker = station.workers[2]
    await add_training(services, worker, YEAR_START - timedelta(days=1), 50)  # before the year
    await add_training(services, worker, AS_OF + timedelta(days=1), 50)  # after the day
    await add_training(services, worker, AS_OF, 10, status="voided")
    assert verdict(await verdicts(admin, station.id), "R11") == "pass"

    found = await verdicts(admin, station.id, AS_OF + timedelta(days=1))  # the first day drops out

    assert verdict(found, "R11") == "fail"
    evidence = found["R11"]["evidence"]
    assert (evidence["assessed"], evidence["below"]) == (3, 3)
    shortfall = next(w for w in evidence["below_threshold"] if w["social_worker_id"] == str(worker))
    assert (shortfall["hours"], shortfall["threshold"]) == (50, 72)
    assert "*" in shortfall["name"]
    shown = await verdicts(pii_admin, station.id, AS_OF + timedelta(days=1))
    named = next(
        w
        for w in shown["R11"]["evidence"]["below_threshold"]
        if w["social_worker_id"] == str(worker)
    )
    assert "*" not in named["name"]


async def test_r16_only_an_urban_rural_pairing_counts(admin, station):
    await admin.patch(
        f"/v1/linkages/{station.pairing['id']}", json={"status": "ended"}, headers={"If-Match": "*"}
    )
    xixi = await create_station(admin, XIXI)
    await create_linkage(admin, station.id, "station", xixi["id"], "pairing")
    found = await verdicts(admin, station.id)
    assert verdict(found, "R16") == "advisory"
    assert found["R16"]["evidence"] == {"area": "urban", "urban_rural_pairings": 0}


async def test_r16_counts_a_pairing_from_the_other_side(admin, station):
    rural = station.pairing["partner_id"]
    found = await verdicts(admin, rural)
    assert verdict(found, "R16") == "pass"
    assert found["R16"]["evidence"]["area"] == "rural"


async def test_a_station_being_built_is_judged_on_name_and_township(admin):
    created = await create_station(admin, QINGBO, status="building", facilities=[])
    found = await verdicts(admin, created["id"])
    assert {
        rule: f["verdict"] for rule, f in found.items() if f["verdict"] != "not_applicable"
    } == {
        "R1": "pass",
        "R2": "pass",
    }


@pytest.mark.parametrize(
    "as_of", ["2099-01-01", "1999-12-31", "2026-02-30", "20260101", "tomorrow"]
)
async def test_the_day_judged_is_a_real_day_not_in_the_future(admin, station, as_of):
    response = await admin.get(f"/v1/stations/{station.id}/compliance", params={"as_of": as_of})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_parameter"


async def test_today_in_hangzhou_is_the_default(admin, station):
    before = datetime.now(CHINA).date()
    response = await admin.get(f"/v1/stations/{station.id}/compliance")
    assert response.status_code == 200
    assert before <= date.fromisoformat(response.json()["as_of"]) <= datetime.now(CHINA).date()


async def test_an_unknown_station_is_404(admin):
    response = await admin.get(f"/v1/stations/{uuid.uuid4()}/compliance")
    assert response.status_code == 404


async def test_a_bound_client_reads_its_own_or_linked_station_s_verdicts(
    admin, make_client, station
):
    qingbo = await create_station(admin, QINGBO)
    ours = await make_client(Scope.REGISTRY_READ, station_id=station.id)
    operator = await make_client(
        Scope.REGISTRY_READ, organisation_id=station.contract["partner_id"]
    )

    assert (await ours.get(f"/v1/stations/{station.id}/compliance")).status_code == 200
    assert (await ours.get(f"/v1/stations/{qingbo['id']}/compliance")).status_code == 404
    assert (await operator.get(f"/v1/stations/{station.id}/compliance")).status_code == 200
    assert (await operator.get(f"/v1/stations/{qingbo['id']}/compliance")).status_code == 404


async def test_r5_for_community_offices(admin, services, make_client):
    beishan = await create_station(admin, BEISHAN)
    first, second, third = (c["code"] for c in communities_of(BEISHAN)[:3])
    staffed = await create_office(admin, first, is_demonstration=True)
    unstaffed = await create_office(admin, second, is_demonstration=True)
    ordinary = await create_office(admin, third)
    await add_social_worker(services, station_id=beishan["id"])  # the station's, not an office's
    await add_social_worker(
        services, station_id=beishan["id"], office_id=unstaffed["id"], certificate_level="none"
    )
    await add_social_worker(
        services, station_id=beishan["id"], office_id=staffed["id"], certificate_level="assistant"
    )

    results = {}
    for office in (staffed, unstaffed, ordinary):
        response = await admin.get(f"/v1/offices/{office['id']}/compliance")
        assert response.status_code == 200, response.text
        results[office["id"]] = response.json()

    assert results[staffed["id"]]["verdicts"][0]["verdict"] == "pass"
    assert results[unstaffed["id"]]["verdicts"][0]["verdict"] == "fail"
    assert results[unstaffed["id"]]["overall"] == "fail"
    assert results[ordinary["id"]]["verdicts"][0]["verdict"] == "not_applicable"
    qingbo = await create_station(admin, QINGBO)
    other = await make_client(Scope.REGISTRY_READ, station_id=qingbo["id"])
    assert (await other.get(f"/v1/offices/{staffed['id']}/compliance")).status_code == 404
    assert (await admin.get(f"/v1/offices/{uuid.uuid4()}/compliance")).status_code == 404
