"""The compliance report (verdicts per rule, per district and in total) and the R14 targets
report (2021, 2023, 2025)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, replace
from datetime import date

from service.db.repositories.reports import coverage_by_district, demonstrations_by_year
from service.domain.access import Caller
from service.domain.compliance import Verdict, overall
from service.domain.coverage import (
    METRIC_LABELS_ZH,
    ZERO,
    CoverageCounts,
    TargetYear,
    targets_for,
)
from service.domain.reports import ReportScope
from service.domain.station_rules import STATION_RULES
from service.domain.supervision import hangzhou_today
from service.schemas.compliance import finding_read
from service.schemas.divisions import TargetProgressRead
from service.schemas.reports import (
    ComplianceFigures,
    ComplianceReport,
    DistrictCompliance,
    DistrictTargets,
    RuleShortfalls,
    RuleTally,
    StationShortfall,
    TargetFigures,
    TargetsReport,
    YearTargets,
)
from service.usecases.common import Services
from service.usecases.compliance import Judged, judge_stations
from service.usecases.reporting import district_names, scope_of, visibility

SHORT = (Verdict.FAIL, Verdict.ADVISORY)


def _figures(judged: Iterable[Judged]) -> ComplianceFigures:
    """Stations by overall verdict and by verdict per rule."""
    stations = list(judged)
    per_rule: dict[object, Counter[Verdict]] = {rule: Counter() for rule in STATION_RULES}
    for station in stations:
        for finding in station.findings:
            per_rule[finding.rule][finding.verdict] += 1
    worst = Counter(overall(station.findings) for station in stations)
    return ComplianceFigures(
        stations=len(stations),
        overall={verdict: worst[verdict] for verdict in Verdict},
        rules=[
            RuleTally(
                rule=rule,
                title_zh=rule.label_zh,
                counts={verdict: per_rule[rule][verdict] for verdict in Verdict},
            )
            for rule in STATION_RULES
        ],
    )


async def compliance_report(
    services: Services, *, caller: Caller, where: ReportScope, as_of: date
) -> ComplianceReport:
    """Every station in scope judged on the day, tallied per district and in total."""
    async with services.database.read() as reader:
        judged = await judge_stations(
            reader, scope_of(where), as_of=as_of, thresholds=services.training_thresholds
        )
        names = await district_names(reader, where)
        seen = await visibility(reader, caller)
    shortfalls = []
    for rule in STATION_RULES:
        stations = []
        for station in judged:
            if not seen.names(station.station["id"]):
                continue
            finding = next(f for f in station.findings if f.rule is rule)
            if finding.verdict in SHORT:
                shown = finding_read(finding)
                stations.append(
                    StationShortfall(
                        station_id=station.station["id"],
                        station_name=station.station["name"],
                        district_code=station.station["district_code"],
                        verdict=finding.verdict,
                        key_figure=shown.key_figure,
                        message=finding.message,
                    )
                )
        shortfalls.append(RuleShortfalls(rule=rule, title_zh=rule.label_zh, stations=stations))
    return ComplianceReport(
        as_of=as_of,
        district_code=where.district_code,
        township_code=where.township_code,
        training_thresholds=dict(services.training_thresholds),
        total=_figures(judged),
        districts=[
            DistrictCompliance(
                district_code=code,
                district_name=name,
                **_figures(j for j in judged if j.station["district_code"] == code).model_dump(),
            )
            for code, name in names.items()
        ],
        shortfalls=shortfalls,
    )


def _target_figures(counts: CoverageCounts, designated: dict[int, int]) -> dict[str, object]:
    return {
        **asdict(counts),
        "coverage_ratio": counts.coverage_ratio,
        "demonstration_stations_by_year": {
            str(year.value): sum(n for y, n in designated.items() if y <= year)
            for year in TargetYear
        },
    }


async def targets_report(services: Services, *, where: ReportScope) -> TargetsReport:
    """R14's three target years against the city's figures, and the figures per district."""
    async with services.database.read() as reader:
        rows = await coverage_by_district(reader)
        demonstrations = await demonstrations_by_year(reader)
    designated: dict[str, dict[int, int]] = {}
    for row in demonstrations:
        by_year = designated.setdefault(row["district_code"], {})
        by_year[row["demonstration_year"]] = row["stations"]
    city, total, city_designated, total_designated = ZERO, ZERO, Counter[int](), Counter[int]()
    districts = []
    for row in rows:
        code = row["district_code"]
        counts = CoverageCounts(
            **{field: row[field] for field in CoverageCounts.__dataclass_fields__}
        )
        by_year = designated.get(code, {})
        city += counts
        city_designated.update(by_year)
        if where.district_code not in (None, code):
            continue
        total += counts
        total_designated.update(by_year)
        districts.append(
            DistrictTargets(
                district_code=code,
                district_name=row["district_name"],
                **_target_figures(counts, by_year),
            )
        )
    today = hangzhou_today(services.clock())
    years = []
    for year in TargetYear:
        by_then = sum(n for y, n in city_designated.items() if y <= year)
        deadline = date(year.value, 12, 31)
        years.append(
            YearTargets(
                year=year,
                deadline=deadline,
                due=today > deadline,
                targets=[
                    TargetProgressRead(
                        metric=progress.metric,
                        label_zh=METRIC_LABELS_ZH[progress.metric],
                        target=progress.target,
                        actual=progress.actual,
                        ratio=progress.ratio,
                        met=progress.met,
                    )
                    for progress in targets_for(year, replace(city, demonstration_stations=by_then))
                ],
            )
        )
    return TargetsReport(
        district_code=where.district_code,
        years=years,
        total=TargetFigures(**_target_figures(total, dict(total_designated))),
        districts=districts,
    )
