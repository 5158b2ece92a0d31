"""The workforce report: social workers by qualification and employment, supervisors, training
hours in the year judged, and the workers below their R11 threshold."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from service.db.reader import Row
from service.db.repositories.compliance import ComplianceRepository
from service.db.repositories.reports import stations_in, workforce
from service.domain.access import Caller, PersonKind
from service.domain.partners import CertificateLevel, Employment, SupervisorLevel, is_certified
from service.domain.reports import TRAINING_BUCKETS, ReportScope, bucket_of
from service.domain.supervision import (
    short_of_training,
    training_threshold,
    training_year_before,
)
from service.schemas.reports import (
    BucketCount,
    DistrictWorkforce,
    WorkerShortfall,
    WorkforceFigures,
    WorkforceReport,
)
from service.usecases.common import Services
from service.usecases.disclosure import disclosure
from service.usecases.reporting import district_names, scope_of, visibility

RECOGNISED = [level for level in SupervisorLevel if level is not SupervisorLevel.NONE]
LEVELS = {level.value: level for level in CertificateLevel}  # a dict lookup: Enum() costs


@dataclass(frozen=True, slots=True)
class _Judged:
    """A worker's training as R11 judges it: the bucket of their hours, assessed or not,
    below their threshold or not."""

    row: Row
    bucket: str
    assessed: bool
    below: bool


def _judged(row: Row, thresholds: Mapping[CertificateLevel, float]) -> _Judged:
    """A worker's R11 judgement, made once."""
    hours, level = float(row["hours"]), LEVELS[row["certificate_level"]]
    return _Judged(
        row,
        bucket_of(hours),
        training_threshold(level, thresholds) is not None,
        short_of_training(hours, level, thresholds),
    )


def _figures(heads: Iterable[Row], workers: Iterable[_Judged]) -> WorkforceFigures:
    """Head counts from grouped rows; the hours distribution and R11 from judged workers."""
    levels: Counter[str] = Counter()
    employment: Counter[str] = Counter()
    supervisors: Counter[str] = Counter()
    full_time_certified = 0
    for row in heads:
        count = int(row["workers"])
        levels[row["certificate_level"]] += count
        employment[row["employment"]] += count
        supervisors[row["supervisor_level"]] += count
        if is_certified(LEVELS[row["certificate_level"]]) and (
            row["employment"] == Employment.FULL_TIME.value
        ):
            full_time_certified += count
    judged = list(workers)
    buckets = Counter(worker.bucket for worker in judged)
    return WorkforceFigures(
        social_workers=sum(levels.values()),
        by_certificate_level={level: levels[level.value] for level in CertificateLevel},
        by_employment={kind: employment[kind.value] for kind in Employment},
        full_time_certified=full_time_certified,
        supervisors=sum(supervisors[level.value] for level in RECOGNISED),
        supervisors_by_level={level: supervisors[level.value] for level in RECOGNISED},
        training_hours=[
            BucketCount(bucket=label, workers=buckets[label]) for _, _, label in TRAINING_BUCKETS
        ],
        assessed=sum(worker.assessed for worker in judged),
        below_threshold=sum(worker.below for worker in judged),
    )


async def workforce_report(
    services: Services, *, caller: Caller, where: ReportScope, as_of: date
) -> WorkforceReport:
    """The workforce of the stations in scope, per district and in total."""
    scope = scope_of(where)
    year = training_year_before(as_of)
    thresholds = services.training_thresholds
    async with services.database.read() as reader:
        heads = await workforce(reader, scope)
        workers = await ComplianceRepository(reader).training(scope, year)
        stations = {row["id"]: row for row in await stations_in(reader, scope)}
        names = await district_names(reader, where)
        seen = await visibility(reader, caller)
        judged = [_judged(row, thresholds) for row in workers]
        short = [w.row for w in judged if w.below and seen.names(w.row["station_id"])]
        ids = [worker["id"] for worker in short]
        shown = await disclosure(
            reader, caller, [(PersonKind.SOCIAL_WORKER, i) for i in ids], now=services.clock()
        )
    district_of = {station_id: row["district_code"] for station_id, row in stations.items()}
    by_district: dict[str, list[_Judged]] = defaultdict(list)
    for worker in judged:
        by_district[district_of[worker.row["station_id"]]].append(worker)
    return WorkforceReport(
        as_of=as_of,
        training_from=year.first,
        training_to=year.last,
        training_thresholds=dict(thresholds),
        district_code=where.district_code,
        township_code=where.township_code,
        total=_figures(heads, judged),
        districts=[
            DistrictWorkforce(
                district_code=code,
                district_name=name,
                **_figures(
                    (row for row in heads if row["district_code"] == code),
                    by_district.get(code, []),
                ).model_dump(),
            )
            for code, name in names.items()
        ],
        below_threshold=[
            _shortfall(
                worker,
                stations,
                shown.name(PersonKind.SOCIAL_WORKER, worker["id"], worker["name"]),
                thresholds,
            )
            for worker in short
        ],
    )


def _shortfall(
    worker: Row,
    stations: Mapping[uuid.UUID, Row],
    name: str,
    thresholds: Mapping[CertificateLevel, float],
) -> WorkerShortfall:
    """A worker below their hours, named as the caller may see."""
    level = CertificateLevel(worker["certificate_level"])
    values: dict[str, Any] = {
        "social_worker_id": worker["id"],
        "name": name,
        "station_id": worker["station_id"],
        "station_name": stations[worker["station_id"]]["name"],
        "certificate_level": level,
        "hours": round(float(worker["hours"]), 2),
        "threshold": thresholds[level],
    }
    return WorkerShortfall(**values)
