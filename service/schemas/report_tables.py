"""Each report as the tables a spreadsheet shows: one row per area (the total first, then each
district), and one per station, rule, skill or month where the report has them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.domain.compliance import Verdict
from service.domain.linkages import LinkageKind, PartnerType
from service.domain.partners import CertificateLevel, Employment, SupervisorLevel
from service.domain.reports import TRAINING_BUCKETS
from service.schemas.reports import (
    ComplianceReport,
    HoursReport,
    LinkageReport,
    TargetsReport,
    WorkforceReport,
)
from service.schemas.spreadsheets import Column, Table, term_columns

TOTAL = ("total", "合计")
AREA = [Column("area_code", "area_code", "地区代码"), Column("area_name", "area_name", "地区")]
STATION = [
    Column("station_id", "station_id", "社会工作站ID"),
    Column("station_name", "station_name", "社会工作站"),
    Column("district_code", "district_code", "区县(市)代码"),
]
VERDICTS = term_columns("", Verdict)
HOURS = [
    Column("hours", "hours", "服务时长(小时)"),
    Column("records", "records", "服务记录数"),
]


def _areas(report: Any) -> list[tuple[str, str, Any]]:
    """The total, then each district: (code, name, figures)."""
    districts = getattr(report, "districts", None) or getattr(report, "by_district", [])
    return [
        (TOTAL[0], TOTAL[1], report.total),
        *((d.district_code, d.district_name, d) for d in districts),
    ]


def compliance_tables(report: ComplianceReport) -> list[Table]:
    """Stations by overall verdict, verdicts per rule, and the stations short of each rule."""
    overall = Table(
        "stations", "站点总体", [*AREA, Column("stations", "stations", "站点数"), *VERDICTS]
    )
    rules = Table(
        "rules",
        "分规则统计",
        [*AREA, Column("rule", "rule", "规则"), Column("title", "title_zh", "要求"), *VERDICTS],
    )
    for code, name, figures in _areas(report):
        overall.rows.append([code, name, figures.stations, *figures.overall.values()])
        for tally in figures.rules:
            rules.rows.append(
                [code, name, tally.rule.value, tally.title_zh, *tally.counts.values()]
            )
    shortfalls = Table(
        "shortfalls",
        "未达标站点",
        [
            Column("rule", "rule", "规则"),
            *STATION,
            Column("verdict", "verdict", "结论"),
            Column("figure", "key_figure", "关键指标"),
            Column("value", "value", "数值"),
            Column("message", "message", "说明"),
        ],
    )
    for entry in report.shortfalls:
        for station in entry.stations:
            figure = station.key_figure
            shortfalls.rows.append(
                [
                    entry.rule.value,
                    station.station_id,
                    station.station_name,
                    station.district_code,
                    station.verdict,
                    figure.name if figure else None,
                    _scalar(figure.value) if figure else None,
                    station.message,
                ]
            )
    return [overall, rules, shortfalls]


def _scalar(value: Any) -> Any:
    return value if isinstance(value, int | float | str) or value is None else str(value)


def targets_tables(report: TargetsReport) -> list[Table]:
    """The targets of each year, and the figures per district."""
    targets = Table(
        "targets",
        "目标进度",
        [
            Column("year", "year", "目标年度"),
            Column("deadline", "deadline", "截止日期"),
            Column("due", "due", "已到期"),
            Column("metric", "metric", "指标"),
            Column("label", "label_zh", "指标名称"),
            Column("target", "target", "目标"),
            Column("actual", "actual", "实际"),
            Column("ratio", "ratio", "完成率"),
            Column("met", "met", "达成"),
        ],
    )
    for year in report.years:
        for target in year.targets:
            targets.rows.append(
                [
                    year.year.value,
                    year.deadline,
                    year.due,
                    target.metric.value,
                    target.label_zh,
                    target.target,
                    target.actual,
                    target.ratio,
                    target.met,
                ]
            )
    figures = [
        ("townships_needing_station", "应建站乡镇(街道)"),
        ("stations", "社会工作站"),
        ("operating_stations", "运营中站点"),
        ("coverage_ratio", "覆盖率"),
        ("demonstration_stations", "示范型社会工作站"),
        ("offices", "社区特色社会工作室"),
        ("demonstration_offices", "示范型社会工作室"),
    ]
    by_year = [
        Column(f"demo_by_{y}", f"demonstration_by_{y}", f"{y}年底前示范站")
        for y in ("2021", "2023", "2025")
    ]
    areas = Table(
        "districts", "分区县统计", [*AREA, *(Column(k, k, zh) for k, zh in figures), *by_year]
    )
    for code, name, area in _areas(report):
        values = area.model_dump()
        areas.rows.append(
            [
                code,
                name,
                *(values[k] for k, _ in figures),
                *area.demonstration_stations_by_year.values(),
            ]
        )
    return [targets, areas]


def linkage_tables(report: LinkageReport) -> list[Table]:
    """Activity per area, per station, and fulfilment per category and urgency."""
    requests = [
        Column("posted", "requests_posted", "发布需求"),
        Column("committed", "requests_committed", "已承接"),
        Column("fulfilled", "requests_fulfilled", "已完成"),
        Column("fulfilment_rate", "fulfilment_rate", "完成率"),
    ]
    areas = Table(
        "areas",
        "分区县统计",
        [
            *AREA,
            *term_columns("partners_", PartnerType, "(伙伴数)"),
            *term_columns("linkages_", LinkageKind, "(有效联动)"),
            *requests,
            Column("median", "median_hours_to_first_commitment", "首次承接中位时长(小时)"),
        ],
    )
    for code, name, area in _areas(report):
        figures = area.requests
        areas.rows.append(
            [
                code,
                name,
                *area.partners_by_type.values(),
                *area.active_linkages_by_kind.values(),
                *_requests(figures),
                figures.median_hours_to_first_commitment,
            ]
        )
    stations = Table(
        "stations",
        "分站点统计",
        [*STATION, *term_columns("partners_", PartnerType, "(伙伴数)"), *requests],
    )
    for station in report.stations:
        stations.rows.append(
            [
                station.station_id,
                station.station_name,
                station.district_code,
                *station.partners_by_type.values(),
                *_requests(station.requests),
            ]
        )
    fulfilment = Table(
        "fulfilment",
        "需求完成率",
        [
            Column("category", "category", "类别"),
            Column("urgency", "urgency", "紧急程度"),
            Column("posted", "posted", "发布需求"),
            Column("fulfilled", "fulfilled", "已完成"),
            Column("rate", "fulfilment_rate", "完成率"),
        ],
    )
    fulfilment.rows = [
        [c.category, c.urgency, c.posted, c.fulfilled, c.fulfilment_rate] for c in report.fulfilment
    ]
    return [areas, stations, fulfilment]


def _requests(figures: BaseModel) -> list[Any]:
    values = figures.model_dump()
    return [values[k] for k in ("posted", "committed", "fulfilled", "fulfilment_rate")]


def hours_tables(report: HoursReport) -> list[Table]:
    """Volunteer hours per area, station, skill and month."""
    areas = Table("districts", "分区县统计", [*AREA, *HOURS])
    for code, name, area in _areas(report):
        areas.rows.append([code, name, area.hours, area.records])
    stations = Table("stations", "分站点统计", [*STATION, *HOURS])
    stations.rows = [
        [s.station_id, s.station_name, s.district_code, s.hours, s.records]
        for s in report.by_station
    ]
    skills = Table("skills", "分技能统计", [Column("skill", "skill", "技能"), *HOURS])
    skills.rows = [[s.skill, s.hours, s.records] for s in report.by_skill]
    months = Table("months", "分月统计", [Column("month", "month", "月份"), *HOURS])
    months.rows = [[m.month, m.hours, m.records] for m in report.by_month]
    return [areas, stations, skills, months]


def workforce_tables(report: WorkforceReport) -> list[Table]:
    """Head counts and training hours per area, and the workers below their threshold."""
    recognised = [level for level in SupervisorLevel if level is not SupervisorLevel.NONE]
    areas = Table(
        "areas",
        "分区县统计",
        [
            *AREA,
            Column("social_workers", "social_workers", "社会工作者"),
            *term_columns("level_", CertificateLevel),
            *term_columns("employment_", Employment),
            Column("full_time_certified", "full_time_certified", "专职持证"),
            Column("supervisors", "supervisors", "督导人才"),
            *(
                Column(f"supervisor_{lv.value}", f"supervisor_{lv.value}", lv.label_zh)
                for lv in recognised
            ),
            *(
                Column(f"hours_{b}", f"training_hours_{b}", f"培训{b}小时")
                for _, _, b in TRAINING_BUCKETS
            ),
            Column("assessed", "assessed", "考核人数"),
            Column("below", "below_threshold", "培训不足"),
        ],
    )
    for code, name, area in _areas(report):
        areas.rows.append(
            [
                code,
                name,
                area.social_workers,
                *area.by_certificate_level.values(),
                *area.by_employment.values(),
                area.full_time_certified,
                area.supervisors,
                *area.supervisors_by_level.values(),
                *(bucket.workers for bucket in area.training_hours),
                area.assessed,
                area.below_threshold,
            ]
        )
    below = Table(
        "below_threshold",
        "培训学时不足人员",
        [
            Column("social_worker_id", "social_worker_id", "社会工作者ID"),
            Column("name", "name", "姓名"),
            Column("station_id", "station_id", "社会工作站ID"),
            Column("station_name", "station_name", "社会工作站"),
            Column("level", "certificate_level", "证书等级"),
            Column("hours", "hours", "年度培训学时"),
            Column("threshold", "threshold", "应达学时"),
        ],
    )
    below.rows = [
        [
            w.social_worker_id,
            w.name,
            w.station_id,
            w.station_name,
            w.certificate_level,
            w.hours,
            w.threshold,
        ]
        for w in report.below_threshold
    ]
    return [areas, below]
