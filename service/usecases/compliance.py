"""Compliance of stations and offices: gather the facts in grouped reads, let the domain judge.

`judge_stations` is the one path from the database to verdicts: a station's own compliance and
the city's report both go through it, so they cannot disagree. A station-bound client reads its
own station's (and offices'), an organisation-bound one those of the stations it is linked
with; others are a 404.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select

from service.db.reader import Reader, Row
from service.db.repositories.compliance import ComplianceRepository, station_scope
from service.db.repositories.networks import NetworkRepository
from service.domain.access import Caller, PersonKind
from service.domain.compliance import (
    Finding,
    Judgement,
    OfficeFacts,
    Rule,
    StationFacts,
    WorkerTraining,
    judge_office,
    overall,
)
from service.domain.divisions import DivisionKind
from service.domain.errors import NotFound
from service.domain.linkages import URBAN, LinkageKind, is_urban_rural_pair
from service.domain.partners import CertificateLevel
from service.domain.station_rules import judge_station
from service.domain.supervision import SupervisionTerm, quarter_before, training_year_before
from service.domain.vocabulary import (
    Facility,
    ManagementSystem,
    OperatingMode,
    ServiceItemCategory,
    StationStatus,
)
from service.schemas.compliance import (
    ComplianceOffice,
    ComplianceStation,
    OfficeComplianceRead,
    StationComplianceRead,
    finding_read,
    verdict_counts,
)
from service.usecases.common import Services
from service.usecases.disclosure import disclosure

LEVELS = {level.value: level for level in CertificateLevel}  # a dict lookup: Enum() costs


@dataclass(frozen=True, slots=True)
class Judged:
    """A station, the facts it was judged on, its findings, and its workers' names (personal
    data: for the caller's disclosure to show or mask)."""

    station: Row
    facts: StationFacts
    findings: list[Finding]
    worker_names: dict[uuid.UUID, str]


@dataclass
class _Linked:
    """A station's linkages active on the day, as the rules count them."""

    contracts: int = 0
    supervision: list[SupervisionTerm] = field(default_factory=list)
    pairings: int = 0


def _linked(rows: list[Row]) -> dict[uuid.UUID, _Linked]:
    """Per station: active operating contracts, supervision terms, urban–rural pairings."""
    linked: dict[uuid.UUID, _Linked] = defaultdict(_Linked)
    for row in rows:
        kind, here = LinkageKind(row["kind"]), linked[row["station_id"]]
        if kind is LinkageKind.OPERATING_CONTRACT:
            here.contracts += 1
        elif kind is LinkageKind.SUPERVISION:
            term = SupervisionTerm(
                row["id"], row["partner_type"], row["partner_id"], row["starts_on"], row["ends_on"]
            )
            here.supervision.append(term)
        elif row["partner_district_kind"] is not None and is_urban_rural_pair(
            DivisionKind(row["station_district_kind"]), DivisionKind(row["partner_district_kind"])
        ):
            here.pairings += 1
            linked[row["partner_id"]].pairings += 1
    return linked


def _facts(
    station: Row,
    staff: Mapping[str, Any] | None,
    linked: _Linked,
    sessions: Mapping[str, Any] | None,
    training: list[Row],
) -> StationFacts:
    """A station's facts from its rows of each grouped read."""
    staff = staff or {}
    sessions = sessions or {}
    return StationFacts(
        station_id=station["id"],
        name=station["name"],
        district_name=station["district_name"],
        township_name=station["township_name"],
        township_code=station["township_code"],
        township_needs_station=bool(station["township_needs_station"]),
        stations_in_township=station["stations_in_township"],
        urban=DivisionKind(station["district_kind"]) in URBAN,
        status=StationStatus(station["status"]),
        operating_mode=OperatingMode(station["operating_mode"])
        if station["operating_mode"]
        else None,
        facilities=frozenset(Facility(value) for value in station["facilities"]),
        management_systems=frozenset(
            ManagementSystem(value) for value in station["management_systems"]
        ),
        service_items=tuple(
            ServiceItemCategory(item["category"]) for item in station["service_items"]
        ),
        social_workers=staff.get("social_workers", 0),
        certified=staff.get("certified", 0),
        full_time_certified=staff.get("full_time_certified", 0),
        intermediate_or_senior=staff.get("intermediate_or_senior", 0),
        operating_contracts=linked.contracts,
        supervision=tuple(linked.supervision),
        sessions_in_quarter=sessions.get("sessions_in_quarter", 0),
        last_session_on=_day(sessions.get("last_session_on")),
        training=tuple(
            WorkerTraining(row["id"], LEVELS[row["certificate_level"]], float(row["hours"]))
            for row in training
        ),
        urban_rural_pairings=linked.pairings,
    )


def _day(value: object) -> date | None:
    """A date as either driver returns an aggregate of dates (SQLite: text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


async def judge_stations(
    reader: Reader, scope: Select[Any], *, as_of: date, thresholds: Mapping[CertificateLevel, float]
) -> list[Judged]:
    """Every station in scope judged on the day, in district and township order."""
    repository = ComplianceRepository(reader)
    stations = await repository.stations(scope)
    if not stations:
        return []
    staff = {row["station_id"]: row for row in await repository.staffing(scope)}
    linked = _linked(await repository.linkages(scope, as_of))
    sessions = {
        row["station_id"]: row for row in await repository.sessions(scope, quarter_before(as_of))
    }
    training: dict[uuid.UUID, list[Row]] = defaultdict(list)
    for row in await repository.training(scope, training_year_before(as_of)):
        training[row["station_id"]].append(row)
    judgement = Judgement(as_of=as_of, thresholds=thresholds)
    judged = []
    for station in stations:
        station_id = station["id"]
        facts = _facts(
            station,
            staff.get(station_id),
            linked.get(station_id, _Linked()),
            sessions.get(station_id),
            training.get(station_id, []),
        )
        names = {row["id"]: row["name"] for row in training.get(station_id, [])}
        judged.append(Judged(station, facts, judge_station(facts, judgement), names))
    return judged


async def _check_sees_station(reader: Reader, caller: Caller, station_id: uuid.UUID) -> None:
    """A bound client reads its own station's compliance, or that of a station it is linked
    with (an organisation); anything else is as if it did not exist."""
    hidden = caller.station_id is not None and caller.station_id != station_id
    if not hidden and caller.organisation_id is not None:
        hidden = not await NetworkRepository(reader).linked_with(station_id, caller.organisation_id)
    if hidden:
        raise NotFound(f"no station with id {station_id}")


async def _named_shortfalls(
    reader: Reader, services: Services, caller: Caller, judged: Judged
) -> None:
    """R11's workers below their hours, each with the name the caller may see."""
    for finding in judged.findings:
        short = finding.evidence.get("below_threshold") if finding.rule is Rule.R11 else None
        if not short:
            continue
        ids = [uuid.UUID(worker["social_worker_id"]) for worker in short]
        names = judged.worker_names
        shown = await disclosure(
            reader, caller, [(PersonKind.SOCIAL_WORKER, i) for i in ids], now=services.clock()
        )
        for worker, worker_id in zip(short, ids, strict=True):
            worker["name"] = shown.name(PersonKind.SOCIAL_WORKER, worker_id, names[worker_id])


async def station_compliance(
    services: Services, *, caller: Caller, station_id: uuid.UUID, as_of: date
) -> StationComplianceRead:
    """Every station rule's verdict on the day, with its evidence."""
    async with services.database.read() as reader:
        await _check_sees_station(reader, caller, station_id)
        judged = await judge_stations(
            reader,
            station_scope(station_id=station_id),
            as_of=as_of,
            thresholds=services.training_thresholds,
        )
        if not judged:
            raise NotFound(f"no station with id {station_id}")
        [result] = judged
        await _named_shortfalls(reader, services, caller, result)
    station = result.station
    return StationComplianceRead(
        station=ComplianceStation.model_validate(station),
        as_of=as_of,
        overall=overall(result.findings),
        counts=verdict_counts(result.findings),
        training_thresholds=dict(services.training_thresholds),
        verdicts=[finding_read(finding) for finding in result.findings],
    )


async def office_compliance(
    services: Services, *, caller: Caller, office_id: uuid.UUID, as_of: date
) -> OfficeComplianceRead:
    """R5's verdict on a community office."""
    async with services.database.read() as reader:
        office = await ComplianceRepository(reader).office(office_id)
        if office is None:
            raise NotFound(f"no office with id {office_id}")
        try:
            await _check_sees_station(reader, caller, office["station_id"])
        except NotFound:
            raise NotFound(f"no office with id {office_id}") from None
    findings = judge_office(
        OfficeFacts(office["id"], bool(office["is_demonstration"]), office["certified"])
    )
    return OfficeComplianceRead(
        office=ComplianceOffice.model_validate(office),
        as_of=as_of,
        overall=overall(findings),
        verdicts=[finding_read(finding) for finding in findings],
    )
