"""Station and office compliance: every rule, every verdict it can give, from a table."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import Any

import pytest

from service.domain.compliance import (
    Finding,
    Judgement,
    OfficeFacts,
    Rule,
    StationFacts,
    Verdict,
    WorkerTraining,
    judge_office,
    overall,
)
from service.domain.partners import CertificateLevel
from service.domain.station_rules import STATION_RULES, judge_station
from service.domain.supervision import DEFAULT_THRESHOLDS, SupervisionTerm
from service.domain.vocabulary import (
    Facility,
    ManagementSystem,
    OperatingMode,
    ServiceItemCategory,
    StationStatus,
)

AS_OF = date(2026, 6, 30)
JUDGEMENT = Judgement(as_of=AS_OF, thresholds=DEFAULT_THRESHOLDS)
SUPERVISOR = SupervisionTerm(
    linkage_id=uuid.UUID(int=1),
    partner_type="university",
    partner_id=uuid.UUID(int=2),
    starts_on=date(2025, 1, 1),
    ends_on=date(2027, 12, 31),
)
PAIRING = 1


def worker(level: CertificateLevel = CertificateLevel.INTERMEDIATE, hours: float = 80) -> Any:
    return WorkerTraining(uuid.uuid4(), level, hours)


def compliant(**overrides: Any) -> StationFacts:
    """A station that passes every rule; each case changes what it is about."""
    facts = StationFacts(
        station_id=uuid.UUID(int=7),
        name="杭州市西湖区北山街道社会工作站",
        district_name="西湖区",
        township_name="北山街道",
        township_code="330106002",
        township_needs_station=True,
        stations_in_township=1,
        urban=True,
        status=StationStatus.OPERATING,
        operating_mode=OperatingMode.PURCHASED_SERVICE,
        facilities=frozenset(Facility),
        management_systems=frozenset(ManagementSystem),
        service_items=(
            ServiceItemCategory.SOCIAL_ASSISTANCE,
            ServiceItemCategory.MINOR_PROTECTION,
            ServiceItemCategory.CHARITY_INCUBATION,
            ServiceItemCategory.SOCIAL_ORGANISATION_INCUBATION,
            ServiceItemCategory.ELDERLY_CARE,
        ),
        social_workers=4,
        certified=4,
        full_time_certified=3,
        intermediate_or_senior=1,
        operating_contracts=1,
        supervision=(SUPERVISOR,),
        sessions_in_quarter=2,
        last_session_on=date(2026, 6, 1),
        training=(worker(), worker(CertificateLevel.ASSISTANT, 72)),
        urban_rural_pairings=PAIRING,
    )
    return dataclasses.replace(facts, **overrides)


def finding(rule: Rule, facts: StationFacts, judgement: Judgement = JUDGEMENT) -> Finding:
    return next(f for f in judge_station(facts, judgement) if f.rule is rule)


def test_a_compliant_station_passes_every_rule():
    findings = judge_station(compliant(), JUDGEMENT)
    assert [f.rule for f in findings] == list(STATION_RULES)
    assert {f.rule: f.verdict for f in findings} == dict.fromkeys(STATION_RULES, Verdict.PASS)
    assert overall(findings) is Verdict.PASS


CASES: list[tuple[str, Rule, dict[str, Any], Verdict]] = [
    ("official name", Rule.R1, {}, Verdict.PASS),
    ("a name that is not the official one", Rule.R1, {"name": "北山社工站"}, Verdict.FAIL),
    ("one station in its township", Rule.R2, {}, Verdict.PASS),
    ("a second station in the township", Rule.R2, {"stations_in_township": 2}, Verdict.FAIL),
    ("a township that takes no station", Rule.R2, {"township_needs_station": False}, Verdict.FAIL),
    ("three full-time certified", Rule.R3, {"full_time_certified": 3}, Verdict.PASS),
    ("two full-time certified", Rule.R3, {"full_time_certified": 2}, Verdict.FAIL),
    ("an intermediate worker", Rule.R4, {"intermediate_or_senior": 1}, Verdict.PASS),
    ("no intermediate worker", Rule.R4, {"intermediate_or_senior": 0}, Verdict.ADVISORY),
    ("all four rooms", Rule.R6, {}, Verdict.PASS),
    (
        "no archive room",
        Rule.R6,
        {"facilities": frozenset(Facility) - {Facility.ARCHIVE_ROOM}},
        Verdict.FAIL,
    ),
    ("all five systems", Rule.R7, {}, Verdict.PASS),
    (
        "no volunteer management",
        Rule.R7,
        {"management_systems": frozenset(ManagementSystem) - {ManagementSystem.VOLUNTEERS}},
        Verdict.FAIL,
    ),
    ("a window and a list", Rule.R8, {}, Verdict.PASS),
    (
        "no service window",
        Rule.R8,
        {"facilities": frozenset(Facility) - {Facility.SERVICE_WINDOW}},
        Verdict.FAIL,
    ),
    ("no service list", Rule.R8, {"service_items": ()}, Verdict.FAIL),
    (
        "administrative affairs listed",
        Rule.R8,
        {"service_items": (ServiceItemCategory.TOWNSHIP_ADMINISTRATIVE_AFFAIRS,)},
        Verdict.FAIL,
    ),
    ("purchased with a contract", Rule.R9, {}, Verdict.PASS),
    ("purchased without a contract", Rule.R9, {"operating_contracts": 0}, Verdict.FAIL),
    (
        "township posts, no contract",
        Rule.R9,
        {"operating_mode": OperatingMode.TOWNSHIP_POSTS, "operating_contracts": 0},
        Verdict.PASS,
    ),
    (
        "township posts with a contract",
        Rule.R9,
        {"operating_mode": OperatingMode.TOWNSHIP_POSTS},
        Verdict.FAIL,
    ),
    ("no operating mode", Rule.R9, {"operating_mode": None}, Verdict.FAIL),
    ("a supervisor and a session", Rule.R10, {}, Verdict.PASS),
    ("no supervision linkage", Rule.R10, {"supervision": ()}, Verdict.FAIL),
    ("no session in the quarter", Rule.R10, {"sessions_in_quarter": 0}, Verdict.FAIL),
    (
        "a term shorter than 3 years",
        Rule.R10,
        {"supervision": (dataclasses.replace(SUPERVISOR, ends_on=date(2026, 12, 31)),)},
        Verdict.ADVISORY,
    ),
    (
        "a term longer than 5 years",
        Rule.R10,
        {"supervision": (dataclasses.replace(SUPERVISOR, ends_on=date(2030, 1, 1)),)},
        Verdict.ADVISORY,
    ),
    (
        "exactly 5 years",
        Rule.R10,
        {"supervision": (dataclasses.replace(SUPERVISOR, ends_on=date(2029, 12, 31)),)},
        Verdict.PASS,
    ),
    (
        "an open term under 5 years",
        Rule.R10,
        {"supervision": (dataclasses.replace(SUPERVISOR, ends_on=None),)},
        Verdict.PASS,
    ),
    (
        # The seed suggests 3–5 years (建议): past five without renewal is advice, not a fail.
        "an open term past 5 years",
        Rule.R10,
        {
            "supervision": (
                dataclasses.replace(SUPERVISOR, starts_on=date(2021, 6, 30), ends_on=None),
            )
        },
        Verdict.ADVISORY,
    ),
    (
        "an open term one day short of 5 years",
        Rule.R10,
        {
            "supervision": (
                dataclasses.replace(SUPERVISOR, starts_on=date(2021, 7, 1), ends_on=None),
            )
        },
        Verdict.PASS,
    ),
    (
        "no session outweighs a tenure advice",
        Rule.R10,
        {
            "sessions_in_quarter": 0,
            "supervision": (dataclasses.replace(SUPERVISOR, ends_on=date(2026, 12, 31)),),
        },
        Verdict.FAIL,
    ),
    ("every worker trained enough", Rule.R11, {}, Verdict.PASS),
    (
        "one worker short by a tenth of an hour",
        Rule.R11,
        {"training": (worker(), worker(hours=71.9))},
        Verdict.FAIL,
    ),
    (
        "uncertified workers are not assessed",
        Rule.R11,
        {"training": (worker(CertificateLevel.NONE, 0),)},
        Verdict.NOT_APPLICABLE,
    ),
    ("nobody to assess", Rule.R11, {"training": ()}, Verdict.NOT_APPLICABLE),
    ("paired urban–rural", Rule.R16, {}, Verdict.PASS),
    ("not paired", Rule.R16, {"urban_rural_pairings": 0}, Verdict.ADVISORY),
    ("every service housed", Rule.R18, {}, Verdict.PASS),
    (
        "minor protection not housed",
        Rule.R18,
        {"service_items": (ServiceItemCategory.SOCIAL_ASSISTANCE,)},
        Verdict.ADVISORY,
    ),
]


@pytest.mark.parametrize(("case", "rule", "overrides", "verdict"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_gives_its_verdict(case, rule, overrides, verdict):
    assert finding(rule, compliant(**overrides)).verdict is verdict


def test_every_verdict_of_every_rule_is_in_the_table():
    tried = {(rule, verdict) for _, rule, _, verdict in CASES}
    advisory_only = {Rule.R4, Rule.R16, Rule.R18}
    for rule in STATION_RULES:
        assert (rule, Verdict.PASS) in tried
        assert (rule, Verdict.ADVISORY if rule in advisory_only else Verdict.FAIL) in tried


@pytest.mark.parametrize("status", [StationStatus.PLANNED, StationStatus.BUILDING])
def test_a_station_not_yet_running_is_judged_on_name_and_township_only(status):
    findings = judge_station(compliant(status=status, full_time_certified=0), JUDGEMENT)
    verdicts = {f.rule: f.verdict for f in findings}
    assert verdicts.pop(Rule.R1) is verdicts.pop(Rule.R2) is Verdict.PASS
    assert set(verdicts.values()) == {Verdict.NOT_APPLICABLE}


def test_a_suspended_station_is_still_judged():
    assert (
        finding(Rule.R3, compliant(status=StationStatus.SUSPENDED, full_time_certified=0)).verdict
        is Verdict.FAIL
    )


def test_training_thresholds_come_per_level():
    senior = worker(CertificateLevel.SENIOR, 80)
    judgement = Judgement(AS_OF, {**DEFAULT_THRESHOLDS, CertificateLevel.SENIOR: 90})
    result = finding(Rule.R11, compliant(training=(senior,)), judgement)
    assert result.verdict is Verdict.FAIL
    assert result.evidence["below_threshold"] == [
        {
            "social_worker_id": str(senior.social_worker_id),
            "certificate_level": "senior",
            "hours": 80,
            "threshold": 90,
        }
    ]
    assert (result.evidence["assessed"], result.evidence["below"]) == (1, 1)
    assert result.evidence["year"] == {"from": "2025-07-01", "to": "2026-06-30"}


def test_a_threshold_for_uncertified_workers_assesses_them_too():
    judgement = Judgement(AS_OF, {**DEFAULT_THRESHOLDS, CertificateLevel.NONE: 24})
    result = finding(Rule.R11, compliant(training=(worker(CertificateLevel.NONE, 10),)), judgement)
    assert result.verdict is Verdict.FAIL


def test_the_evidence_names_the_key_figure():
    result = finding(Rule.R3, compliant(full_time_certified=2))
    assert result.figure == "full_time_certified"
    assert result.evidence[result.figure] == 2
    r10 = finding(Rule.R10, compliant(sessions_in_quarter=0, last_session_on=date(2026, 3, 30)))
    assert r10.evidence["quarter"] == {"from": "2026-03-31", "to": "2026-06-30"}
    assert r10.evidence["last_session_on"] == "2026-03-30"
    assert r10.evidence[r10.figure] == 0


@pytest.mark.parametrize(
    ("overrides", "figure"),
    [
        ({"facilities": frozenset(Facility) - {Facility.SERVICE_WINDOW}}, "service_window"),
        ({"service_items": ()}, "service_items"),
        ({}, "administrative_items"),
    ],
)
def test_r8_s_key_figure_is_what_is_wrong(overrides, figure):
    assert finding(Rule.R8, compliant(**overrides)).figure == figure


def test_r1_gives_the_official_name():
    result = finding(Rule.R1, compliant(name="北山社工站"))
    assert result.evidence["official_name"] == "杭州市西湖区北山街道社会工作站"


OFFICE_CASES = [
    (True, 1, Verdict.PASS),
    (True, 0, Verdict.FAIL),
    (False, 0, Verdict.NOT_APPLICABLE),
]


@pytest.mark.parametrize(("demonstration", "certified", "verdict"), OFFICE_CASES)
def test_r5_for_offices(demonstration, certified, verdict):
    [result] = judge_office(OfficeFacts(uuid.uuid4(), demonstration, certified))
    assert (result.rule, result.verdict) == (Rule.R5, verdict)


@pytest.mark.parametrize(
    ("verdicts", "worst"),
    [
        ([Verdict.PASS, Verdict.ADVISORY, Verdict.FAIL], Verdict.FAIL),
        ([Verdict.PASS, Verdict.ADVISORY, Verdict.NOT_APPLICABLE], Verdict.ADVISORY),
        ([Verdict.PASS, Verdict.NOT_APPLICABLE], Verdict.PASS),
        ([Verdict.NOT_APPLICABLE], Verdict.NOT_APPLICABLE),
    ],
)
def test_overall_is_the_worst_verdict(verdicts, worst):
    assert overall(Finding(Rule.R1, v, "") for v in verdicts) is worst
