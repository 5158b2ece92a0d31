"""The linkage report (five-society activity) and the volunteer-hours report."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from service.db.reader import Row
from service.db.repositories.reports import stations_in
from service.db.repositories.reports_activity import ActivityRepository
from service.domain.access import Caller
from service.domain.linkages import LinkageKind, PartnerType
from service.domain.offerings import ServiceCategory, Skill
from service.domain.reports import ReportScope, instants_of, rate
from service.domain.requests import Urgency
from service.domain.supervision import Window
from service.schemas.reports import (
    AreaRequestFigures,
    DistrictHours,
    DistrictLinkage,
    FulfilmentCell,
    HoursFigures,
    HoursReport,
    LinkageFigures,
    LinkageReport,
    MonthHours,
    RequestFigures,
    SkillHours,
    StationHours,
    StationLinkage,
)
from service.usecases.common import Services
from service.usecases.reporting import district_names, scope_of, visibility

_COUNTS = ("posted", "committed", "fulfilled")


def _summed(rows: Iterable[Row]) -> dict[str, int]:
    """Posted, committed and fulfilled summed over grouped rows."""
    totals = dict.fromkeys(_COUNTS, 0)
    for row in rows:
        for name in _COUNTS:
            totals[name] += int(row[name])
    return totals


def _request_figures(rows: Iterable[Row]) -> dict[str, Any]:
    """Request figures with their fulfilment rate."""
    totals = _summed(rows)
    return {**totals, "fulfilment_rate": rate(totals["fulfilled"], totals["posted"])}


def _by_type(rows: Iterable[Row]) -> dict[PartnerType, int]:
    """Partners per type, every type listed."""
    counts = {row["partner_type"]: int(row["partners"]) for row in rows}
    return {kind: counts.get(kind.value, 0) for kind in PartnerType}


def _by_kind(rows: Iterable[Row]) -> dict[LinkageKind, int]:
    """Active linkages per kind, every kind listed."""
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["kind"]] += int(row["linkages"])
    return {kind: counts[kind.value] for kind in LinkageKind}


def _median(value: Any) -> float | None:
    """A median as the report shows it (two decimals)."""
    return None if value is None else round(float(value), 2)


async def linkage_report(
    services: Services, *, caller: Caller, where: ReportScope, period: Window
) -> LinkageReport:
    """Partners per type, active linkages per kind (on the period's last day), requests posted
    in the period and how far they got, per district, station and in total."""
    scope = scope_of(where)
    start, end = instants_of(period)
    async with services.database.read() as reader:
        repository = ActivityRepository(reader)
        partners = await repository.partners(scope, period.last)
        kinds = await repository.linkages_by_kind(scope, period.last)
        grouped = await repository.requests(scope, start, end)
        stations = await stations_in(reader, scope)
        names = await district_names(reader, where)
        seen = await visibility(reader, caller)
    requests = [
        row | {"station_id": uuid.UUID(str(row["key"]))}
        for row in grouped
        if row["level"] == "station"
    ]
    medians = {
        (row["level"], row["key"]): row["median_hours"]
        for row in grouped
        if row["level"] != "station"
    }
    partners_at: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in partners:
        partners_at[(row["level"], _station_key(row))].append(row)

    def area(level: str, key: str, requested: list[Row], linked: list[Row]) -> dict[str, Any]:
        """An area's partners, linkages and requests."""
        return {
            "partners_by_type": _by_type(partners_at[(level, key)]),
            "active_linkages_by_kind": _by_kind(linked),
            "requests": AreaRequestFigures(
                **_request_figures(requested),
                median_hours_to_first_commitment=_median(medians.get((level, key))),
            ),
        }

    by_station: dict[uuid.UUID, list[Row]] = defaultdict(list)
    by_district: dict[str, list[Row]] = defaultdict(list)
    for row in requests:
        by_station[row["station_id"]].append(row)
        by_district[row["district_code"]].append(row)
    districts = [
        DistrictLinkage(
            district_code=code,
            district_name=name,
            **area(
                "district",
                code,
                by_district[code],
                [k for k in kinds if k["district_code"] == code],
            ),
        )
        for code, name in names.items()
    ]
    station_rows = [
        StationLinkage(
            station_id=station["id"],
            station_name=station["name"],
            district_code=station["district_code"],
            partners_by_type=_by_type(partners_at[("station", station["id"].hex)]),
            requests=RequestFigures(**_request_figures(by_station[station["id"]])),
        )
        for station in stations
        if seen.names(station["id"])
    ]
    cells: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in requests:
        cells[(row["category"], row["urgency"])].append(row)
    fulfilment = []
    for category in ServiceCategory:
        for urgency in Urgency:
            totals = _summed(cells.get((category.value, urgency.value), []))
            if totals["posted"]:
                fulfilment.append(
                    FulfilmentCell(
                        category=category,
                        urgency=urgency,
                        posted=totals["posted"],
                        fulfilled=totals["fulfilled"],
                        fulfilment_rate=rate(totals["fulfilled"], totals["posted"]),
                    )
                )
    return LinkageReport(
        period_from=period.first,
        period_to=period.last,
        linkages_active_on=period.last,
        district_code=where.district_code,
        township_code=where.township_code,
        total=LinkageFigures(**area("city", "city", requests, kinds)),
        districts=districts,
        stations=station_rows,
        fulfilment=fulfilment,
    )


def _hours(row: Row | None) -> dict[str, Any]:
    """Hours and records of a grouped row (zero when none)."""
    if row is None:
        return {"hours": 0.0, "records": 0}
    return {"hours": round(float(row["hours"] or 0), 2), "records": int(row["records"] or 0)}


async def hours_report(
    services: Services, *, caller: Caller, where: ReportScope, period: Window
) -> HoursReport:
    """Volunteer hours in the period by district, station, skill and month, and in total."""
    scope = scope_of(where)
    async with services.database.read() as reader:
        repository = ActivityRepository(reader)
        grouped = await repository.hours(scope, period.first, period.last)
        skills = {
            row["skill"]: row
            for row in await repository.hours_by_skill(scope, period.first, period.last)
        }
        stations = await stations_in(reader, scope)
        names = await district_names(reader, where)
        seen = await visibility(reader, caller)
    by: dict[tuple[str, str], Row] = {(row["level"], _station_key(row)): row for row in grouped}
    months = sorted(key for level, key in by if level == "month")
    return HoursReport(
        period_from=period.first,
        period_to=period.last,
        district_code=where.district_code,
        township_code=where.township_code,
        total=HoursFigures(**_hours(by.get(("city", "city")))),
        by_district=[
            DistrictHours(
                district_code=code, district_name=name, **_hours(by.get(("district", code)))
            )
            for code, name in names.items()
        ],
        by_station=[
            StationHours(
                station_id=station["id"],
                station_name=station["name"],
                district_code=station["district_code"],
                **_hours(by.get(("station", station["id"].hex))),
            )
            for station in stations
            if seen.names(station["id"])
        ],
        by_skill=[
            SkillHours(
                skill=skill,
                label_zh=skill.label_zh,
                hours=round(float(skills[skill.value]["hours"]), 2),
                records=int(skills[skill.value]["records"]),
            )
            for skill in Skill
            if skill.value in skills
        ],
        by_month=[MonthHours(month=month, **_hours(by[("month", month)])) for month in months],
    )


def _station_key(row: Row) -> str:
    """A grouped row's key; a station's as hex, whichever way the database wrote the UUID."""
    if row["level"] == "station":
        return uuid.UUID(str(row["key"])).hex
    return str(row["key"])
