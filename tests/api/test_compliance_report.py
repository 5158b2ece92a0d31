"""The compliance and workforce reports, and every station's verdicts, against figures worked
out here in plain Python from the seeded rows (never the service's SQL)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date
from typing import Any

import pytest

from service.domain.access import Scope
from service.domain.compliance import (
    Judgement,
    StationFacts,
    Verdict,
    WorkerTraining,
    overall,
)
from service.domain.partners import CertificateLevel
from service.domain.reports import bucket_of
from service.domain.station_rules import judge_station
from service.domain.supervision import (
    DEFAULT_THRESHOLDS,
    SupervisionTerm,
    quarter_before,
    training_year_before,
)
from service.domain.vocabulary import (
    Facility,
    ManagementSystem,
    OperatingMode,
    ServiceItemCategory,
    StationStatus,
)
from tests.factories.registry import name_of
from tests.factories.world import AS_OF, World, seed_world

THRESHOLDS = DEFAULT_THRESHOLDS


@pytest.fixture
async def world(services) -> World:
    return await seed_world(services)


def active_on(linkage: dict[str, Any], day: date) -> bool:
    ends = linkage["ends_on"]
    return (
        linkage["status"] == "active"
        and linkage["starts_on"] <= day
        and (ends is None or day <= ends)
    )


def urban(district_code: str) -> bool:
    return name_of(district_code).endswith("区")


def hours_in_year(world: World, worker_id: Any, as_of: date) -> float:
    year = training_year_before(as_of)
    return sum(
        t["hours"]
        for t in world.training
        if t["social_worker_id"] == worker_id
        and t["status"] == "recorded"
        and year.first <= t["completed_on"] <= year.last
    )


def expected_facts(world: World, station: dict[str, Any], as_of: date) -> StationFacts:
    """A station's facts, from the seeded lists alone."""
    sid = station["id"]
    staff = [w for w in world.workers if w["station_id"] == sid and w["status"] == "active"]
    certified = [w for w in staff if w["certificate_level"] != "none"]
    live = [link for link in world.linkages if active_on(link, as_of)]
    quarter = quarter_before(as_of)
    recorded = [s for s in world.sessions if s["station_id"] == sid and s["status"] == "recorded"]
    pairings = 0
    for link in live:
        if link["kind"] != "pairing" or sid not in (link["station_id"], link["partner_id"]):
            continue
        here, there = (world.station(link["station_id"]), world.station(link["partner_id"]))
        pairings += urban(here["district_code"]) != urban(there["district_code"])
    return StationFacts(
        station_id=sid,
        name=station["name"],
        district_name=name_of(station["district_code"]),
        township_name=name_of(station["township_code"]),
        township_code=station["township_code"],
        township_needs_station=True,
        stations_in_township=1,
        urban=urban(station["district_code"]),
        status=StationStatus(station["status"]),
        operating_mode=OperatingMode(station["operating_mode"]),
        facilities=frozenset(Facility(f) for f in station["facilities"]),
        management_systems=frozenset(ManagementSystem(s) for s in station["management_systems"]),
        service_items=tuple(ServiceItemCategory(i["category"]) for i in station["service_items"]),
        social_workers=len(staff),
        certified=len(certified),
        full_time_certified=sum(w["employment"] == "full_time" for w in certified),
        intermediate_or_senior=sum(
            w["certificate_level"] in ("intermediate", "senior") for w in staff
        ),
        operating_contracts=sum(
            link["kind"] == "operating_contract" and link["station_id"] == sid for link in live
        ),
        supervision=tuple(
            SupervisionTerm(
                link["id"],
                link["partner_type"],
                link["partner_id"],
                link["starts_on"],
                link["ends_on"],
            )
            for link in sorted(live, key=lambda link: (link["starts_on"], link["id"]))
            if link["kind"] == "supervision" and link["station_id"] == sid
        ),
        sessions_in_quarter=sum(quarter.first <= s["held_on"] <= quarter.last for s in recorded),
        last_session_on=max(
            (s["held_on"] for s in recorded if s["held_on"] <= as_of), default=None
        ),
        training=tuple(
            WorkerTraining(
                w["id"],
                CertificateLevel(w["certificate_level"]),
                hours_in_year(world, w["id"], as_of),
            )
            for w in staff
        ),
        urban_rural_pairings=pairings,
    )


def expected_findings(world: World, as_of: date = AS_OF) -> dict[Any, list[Any]]:
    judgement = Judgement(as_of, THRESHOLDS)
    return {
        s["id"]: judge_station(expected_facts(world, s, as_of), judgement) for s in world.stations
    }


async def test_every_station_s_verdicts_agree_with_the_seeded_facts(admin, world):
    expected = expected_findings(world)
    seen = Counter()
    for station in world.stations:
        response = await admin.get(
            f"/v1/stations/{station['id']}/compliance", params={"as_of": AS_OF.isoformat()}
        )
        assert response.status_code == 200, response.text
        found = {f["rule"]: f for f in response.json()["verdicts"]}
        for finding in expected[station["id"]]:
            got = found[finding.rule.value]
            assert got["verdict"] == finding.verdict.value, (station["name"], finding)
            if finding.figure:
                assert got["key_figure"]["value"] == finding.evidence[finding.figure]
            seen[(finding.rule, finding.verdict)] += 1
    # the seed is rich enough to exercise both sides of most rules
    assert len(seen) >= 15


async def test_the_compliance_report_tallies_every_rule_per_district_and_in_total(admin, world):
    expected = expected_findings(world)
    response = await admin.get("/v1/reports/compliance", params={"as_of": AS_OF.isoformat()})

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["total"]["stations"] == len(world.stations)
    assert report["total"]["overall"] == tally(overall(f) for f in expected.values())
    assert len(report["districts"]) == 13
    for district in report["districts"]:
        mine = [s["id"] for s in world.stations if s["district_code"] == district["district_code"]]
        assert district["stations"] == len(mine)
        for rule in district["rules"]:
            verdicts = (
                f.verdict for sid in mine for f in expected[sid] if f.rule.value == rule["rule"]
            )
            assert rule["counts"] == tally(verdicts), (district["district_code"], rule["rule"])
    for entry in report["shortfalls"]:
        short = {
            str(sid): f
            for sid, findings in expected.items()
            for f in findings
            if f.rule.value == entry["rule"] and f.verdict in (Verdict.FAIL, Verdict.ADVISORY)
        }
        assert {s["station_id"] for s in entry["stations"]} == set(short)
        for station in entry["stations"]:
            finding = short[station["station_id"]]
            assert station["verdict"] == finding.verdict.value
            assert station["key_figure"]["value"] == finding.evidence[finding.figure]


def tally(verdicts) -> dict[str, int]:
    counts = Counter(v.value for v in verdicts)
    return {verdict.value: counts[verdict.value] for verdict in Verdict}


async def test_the_report_narrows_to_a_district_and_a_township(admin, world):
    station = world.stations[4]
    by_district = (
        await admin.get(
            "/v1/reports/compliance",
            params={"as_of": AS_OF.isoformat(), "district_code": station["district_code"]},
        )
    ).json()
    by_township = (
        await admin.get(
            "/v1/reports/compliance",
            params={"as_of": AS_OF.isoformat(), "township_code": station["township_code"]},
        )
    ).json()

    in_district = [s for s in world.stations if s["district_code"] == station["district_code"]]
    assert by_district["total"]["stations"] == len(in_district)
    assert [d["district_code"] for d in by_district["districts"]] == [station["district_code"]]
    assert by_township["total"]["stations"] == 1


async def test_a_station_sees_only_itself_named_but_every_aggregate(admin, make_client, world):
    station = world.stations[0]
    client = await make_client(Scope.REGISTRY_READ, station_id=station["id"])
    theirs = (
        await client.get("/v1/reports/compliance", params={"as_of": AS_OF.isoformat()})
    ).json()
    ours = (await admin.get("/v1/reports/compliance", params={"as_of": AS_OF.isoformat()})).json()

    assert theirs["total"] == ours["total"]
    named = {s["station_id"] for entry in theirs["shortfalls"] for s in entry["stations"]}
    assert named <= {str(station["id"])}


async def test_the_workforce_report(admin, pii_admin, world):
    response = await admin.get("/v1/reports/workforce", params={"as_of": AS_OF.isoformat()})
    assert response.status_code == 200, response.text
    report = response.json()

    staff = [w for w in world.workers if w["status"] == "active"]
    assert report["training_from"] == "2025-07-01"
    total = report["total"]
    assert total["social_workers"] == len(staff)
    assert total["by_certificate_level"] == {
        level: sum(w["certificate_level"] == level for w in staff)
        for level in ("none", "assistant", "intermediate", "senior")
    }
    assert total["by_employment"] == {
        kind: sum(w["employment"] == kind for w in staff) for kind in ("full_time", "part_time")
    }
    assert total["full_time_certified"] == sum(
        w["employment"] == "full_time" and w["certificate_level"] != "none" for w in staff
    )
    assert total["supervisors_by_level"] == {
        level: sum(w["supervisor_level"] == level for w in staff)
        for level in ("municipal", "provincial", "national")
    }
    hours = {w["id"]: hours_in_year(world, w["id"], AS_OF) for w in staff}
    buckets = Counter(bucket_of(h) for h in hours.values())
    assert {b["bucket"]: b["workers"] for b in total["training_hours"]} == {
        label: buckets[label] for label in ("0", "0–24", "24–48", "48–72", "72–120", "120+")
    }
    below = [w for w in staff if w["certificate_level"] != "none" and hours[w["id"]] < 72]
    assert total["assessed"] == sum(w["certificate_level"] != "none" for w in staff)
    assert total["below_threshold"] == len(below)
    assert {w["social_worker_id"] for w in report["below_threshold"]} == {
        str(w["id"]) for w in below
    }
    assert all("*" in w["name"] for w in report["below_threshold"] if len(w["name"]) > 1)
    for district in report["districts"]:
        mine = [
            w
            for w in staff
            if world.station(w["station_id"])["district_code"] == district["district_code"]
        ]
        assert district["social_workers"] == len(mine)
        assert district["below_threshold"] == sum(w in below for w in mine)
    named = (
        await pii_admin.get("/v1/reports/workforce", params={"as_of": AS_OF.isoformat()})
    ).json()
    by_id = {w["id"]: w["name"] for w in staff}
    assert all(
        w["name"] == by_id[uuid.UUID(w["social_worker_id"])] for w in named["below_threshold"]
    )
