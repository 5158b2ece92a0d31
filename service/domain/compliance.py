"""Compliance: a verdict per rule of 杭民发〔2021〕126号 for a station (or an office), with the
evidence it rests on.

Each rule is a pure function (`station_rules`) of `StationFacts`, gathered by the use case the
same way for one station or for the whole city, and of the date judged. A verdict is `pass`,
`fail`, `advisory` (the policy recommends, encourages or asks "in principle": 建议, 鼓励,
有条件的, 原则上) or `not_applicable`. A station that is not running yet (planned, building) is
judged on its name and township only. Registry facts (staff, rooms, systems, service list) are
judged as they stand now; dated records (linkages, sessions, training) as of the date.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from service.domain.partners import CertificateLevel
from service.domain.stations import DEMONSTRATION_STATUSES
from service.domain.supervision import SupervisionTerm
from service.domain.vocabulary import (
    Facility,
    Labelled,
    ManagementSystem,
    OperatingMode,
    ServiceItemCategory,
    StationStatus,
)


class Verdict(Labelled):
    """What a rule says about a station."""

    PASS = "pass", "符合"
    FAIL = "fail", "不符合"
    ADVISORY = "advisory", "建议改进"
    NOT_APPLICABLE = "not_applicable", "不适用"


class Rule(Labelled):
    """The rules a station or an office is judged on, with their Chinese titles."""

    R1 = "R1", "统一名称"
    R2 = "R2", "一乡镇(街道)一站"
    R3 = "R3", "专职持证社会工作者不少于3人"
    R4 = "R4", "至少1名中级及以上社会工作师"
    R5 = "R5", "示范社会工作室至少1名持证社会工作者"
    R6 = "R6", "功能室设置"
    R7 = "R7", "管理制度"
    R8 = "R8", "为民服务窗口和服务清单"
    R9 = "R9", "运行方式"
    R10 = "R10", "督导体系"
    R11 = "R11", "人才培训"
    R16 = "R16", "城乡结对"
    R18 = "R18", "民政服务进驻"


REQUIRED_ROOMS = (
    Facility.CASEWORK_ROOM,
    Facility.GROUP_ACTIVITY_ROOM,
    Facility.MULTIFUNCTION_ROOM,
    Facility.ARCHIVE_ROOM,
)
REQUIRED_SYSTEMS = tuple(ManagementSystem)
# R18: the civil-affairs services reaching the township that move into the station.
HOUSED_SERVICES = (
    ServiceItemCategory.SOCIAL_ASSISTANCE,
    ServiceItemCategory.MINOR_PROTECTION,
    ServiceItemCategory.CHARITY_INCUBATION,
    ServiceItemCategory.SOCIAL_ORGANISATION_INCUBATION,
)
RUNNING = DEMONSTRATION_STATUSES  # stations that run: operating, or suspended for now
INTERMEDIATE_OR_SENIOR = frozenset({CertificateLevel.INTERMEDIATE, CertificateLevel.SENIOR})


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict, why, and the evidence; `figure` is the evidence's key number."""

    rule: Rule
    verdict: Verdict
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    figure: str | None = None  # the evidence key that carries the key figure


@dataclass(frozen=True, slots=True)
class WorkerTraining:
    """A social worker's training hours in the year judged."""

    social_worker_id: uuid.UUID
    certificate_level: CertificateLevel
    hours: float


@dataclass(frozen=True, slots=True)
class StationFacts:
    """Everything the station rules look at, gathered in a few grouped reads."""

    station_id: uuid.UUID
    name: str
    district_name: str
    township_name: str
    township_code: str
    township_needs_station: bool
    stations_in_township: int
    urban: bool  # a district's station (区) rather than a county's (县, 县级市)
    status: StationStatus
    operating_mode: OperatingMode | None
    facilities: frozenset[Facility]
    management_systems: frozenset[ManagementSystem]
    service_items: tuple[ServiceItemCategory, ...]
    social_workers: int = 0
    certified: int = 0
    full_time_certified: int = 0
    intermediate_or_senior: int = 0
    operating_contracts: int = 0  # active on the date judged
    supervision: tuple[SupervisionTerm, ...] = ()  # active supervision linkages on the date
    sessions_in_quarter: int = 0
    last_session_on: date | None = None
    training: tuple[WorkerTraining, ...] = ()  # active workers of the station
    urban_rural_pairings: int = 0  # active on the date judged


@dataclass(frozen=True, slots=True)
class Judgement:
    """What the rules are judged against: the date and the R11 hours per certificate level."""

    as_of: date
    thresholds: Mapping[CertificateLevel, float]


def verdict_of(ok: bool, otherwise: Verdict = Verdict.FAIL) -> Verdict:
    """Pass when ok, else the verdict the rule gives (fail unless it only advises)."""
    return Verdict.PASS if ok else otherwise


@dataclass(frozen=True, slots=True)
class OfficeFacts:
    """What R5 looks at: whether the office is a demonstration office, and its certified staff."""

    office_id: uuid.UUID
    is_demonstration: bool
    certified: int


def judge_office(facts: OfficeFacts) -> list[Finding]:
    """R5: a demonstration community office has at least one certified social worker."""
    evidence = {"is_demonstration": facts.is_demonstration, "certified": facts.certified}
    if not facts.is_demonstration:
        return [
            Finding(
                Rule.R5,
                Verdict.NOT_APPLICABLE,
                "R5 applies to demonstration offices",
                evidence,
                figure="certified",
            )
        ]
    ok = facts.certified >= 1
    return [
        Finding(
            Rule.R5,
            verdict_of(ok),
            f"{facts.certified} certified social worker(s) serve the office",
            evidence,
            figure="certified",
        )
    ]


def overall(findings: Iterable[Finding]) -> Verdict:
    """The worst verdict: a fail, else an advisory, else a pass (not applicable counts for none)."""
    verdicts = {finding.verdict for finding in findings}
    for worst in (Verdict.FAIL, Verdict.ADVISORY, Verdict.PASS):
        if worst in verdicts:
            return worst
    return Verdict.NOT_APPLICABLE
