"""/v1/reports: what the bureau tracks its targets and the network with.

Every report but coverage is also a spreadsheet: `Accept: text/csv` (UTF-8 with a BOM) or the
.xlsx media type, with `labels=zh` for Chinese headings and vocabulary labels.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from service.domain.coverage import TargetYear
from service.domain.reports import ReportScope, report_period
from service.domain.supervision import Window, hangzhou_today
from service.http.negotiation import XLSX_MEDIA_TYPE, Format, negotiated
from service.http.params import DistrictCodeQuery, TownshipCodeQuery
from service.http.responses import READ, json_response, problems
from service.http.routing import ApiRoute, ServicesDep
from service.http.security import ReadCaller
from service.routers.periods import AsOf, checked_range, judged_day
from service.schemas.divisions import CoverageReport
from service.schemas.linkages import LinkageDate
from service.schemas.report_tables import (
    compliance_tables,
    hours_tables,
    linkage_tables,
    targets_tables,
    workforce_tables,
)
from service.schemas.reports import (
    ComplianceReport,
    HoursReport,
    LinkageReport,
    TargetsReport,
    WorkforceReport,
)
from service.schemas.spreadsheets import CSV_MEDIA_TYPE, Table, to_csv, to_xlsx
from service.usecases import registry, reports_activity, reports_compliance, reports_workforce
from service.usecases.common import Services

router = APIRouter(prefix="/v1/reports", tags=["reports"], route_class=ApiRoute)

R = TypeVar("R", bound=BaseModel)
Labels = Annotated[
    Literal["en", "zh"],
    Query(description="Spreadsheet headings and vocabulary terms: `en` codes or `zh` labels."),
]
PeriodFrom = Annotated[
    LinkageDate | None,
    Query(alias="from", description="First day of the period (default: a year before `to`)."),
]
PeriodTo = Annotated[
    LinkageDate | None, Query(alias="to", description="Last day of the period (default: today).")
]
FORMATS = (*READ, 406)
SPREADSHEETS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report: JSON by default; CSV (UTF-8 with a BOM, one section per"
        " table) or .xlsx (one sheet per table) when the Accept header prefers `text/csv` or"
        f" `{XLSX_MEDIA_TYPE}` (406 when it accepts none of the three).",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _answer(
    report: R, tables: Callable[[R], list[Table]], chosen: Format, labels: str, name: str
) -> Response:
    """The report in the format negotiated."""
    headers = {"Vary": "Accept"}
    if chosen is Format.JSON:
        return json_response(report, headers=headers)
    zh = labels == "zh"
    if chosen is Format.CSV:
        body, media, extension = to_csv(tables(report), zh=zh), CSV_MEDIA_TYPE, "csv"
    else:
        body, media, extension = to_xlsx(tables(report), zh=zh), XLSX_MEDIA_TYPE, "xlsx"
    headers["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return Response(body, media_type=media, headers=headers)


@router.get(
    "/coverage",
    response_model=CoverageReport,
    responses=problems(READ),
    operation_id="get_coverage_report",
    summary="Report station coverage (R14)",
)
async def get_coverage_report(
    _: ReadCaller,
    services: ServicesDep,
    year: Annotated[
        TargetYear, Query(description="Target year of R14 to measure against.")
    ] = TargetYear.Y2023,
) -> Response:
    """Station coverage per district and progress on the year's R14 targets (`registry:read`)."""
    return json_response(await registry.coverage_report(services, year=year))


@router.get(
    "/compliance",
    response_model=ComplianceReport,
    responses={**SPREADSHEETS, **problems(FORMATS)},
    operation_id="get_compliance_report",
    summary="Report compliance per rule",
)
async def get_compliance_report(
    request: Request,
    caller: ReadCaller,
    services: ServicesDep,
    district_code: DistrictCodeQuery = None,
    township_code: TownshipCodeQuery = None,
    as_of: AsOf = None,
    labels: Labels = "en",
) -> Response:
    """Stations passing each rule per district and in total, and the stations short of each
    rule with the evidence's key figure (scope `registry:read`)."""
    chosen = negotiated(request.headers.get("accept"))
    day = judged_day(as_of, services)
    report = await reports_compliance.compliance_report(
        services,
        caller=caller,
        where=ReportScope(district_code, township_code),
        as_of=day,
    )
    return _answer(report, compliance_tables, chosen, labels, f"compliance-{day.isoformat()}")


@router.get(
    "/targets",
    response_model=TargetsReport,
    responses={**SPREADSHEETS, **problems(FORMATS)},
    operation_id="get_targets_report",
    summary="Report progress on the R14 targets",
)
async def get_targets_report(
    request: Request,
    _: ReadCaller,
    services: ServicesDep,
    district_code: DistrictCodeQuery = None,
    labels: Labels = "en",
) -> Response:
    """R14 for 2021, 2023 and 2025: stations, demonstration stations and demonstration
    community offices against the targets, per district and city (scope `registry:read`)."""
    chosen = negotiated(request.headers.get("accept"))
    report = await reports_compliance.targets_report(
        services, where=ReportScope(district_code=district_code)
    )
    return _answer(report, targets_tables, chosen, labels, "targets")


@router.get(
    "/linkage",
    response_model=LinkageReport,
    responses={**SPREADSHEETS, **problems(FORMATS)},
    operation_id="get_linkage_report",
    summary="Report five-society activity",
)
async def get_linkage_report(
    request: Request,
    caller: ReadCaller,
    services: ServicesDep,
    district_code: DistrictCodeQuery = None,
    township_code: TownshipCodeQuery = None,
    period_from: PeriodFrom = None,
    period_to: PeriodTo = None,
    labels: Labels = "en",
) -> Response:
    """Five-society activity: partners per type, active linkages by kind, requests posted,
    committed and fulfilled, the median hours to a first commitment, fulfilment by category
    and urgency (scope `registry:read`)."""
    chosen = negotiated(request.headers.get("accept"))
    period = _period(period_from, period_to, services)
    report = await reports_activity.linkage_report(
        services, caller=caller, where=ReportScope(district_code, township_code), period=period
    )
    name = f"linkage-{period.first.isoformat()}-{period.last.isoformat()}"
    return _answer(report, linkage_tables, chosen, labels, name)


@router.get(
    "/volunteer-hours",
    response_model=HoursReport,
    responses={**SPREADSHEETS, **problems(FORMATS)},
    operation_id="get_volunteer_hours_report",
    summary="Report volunteer hours",
)
async def get_volunteer_hours_report(
    request: Request,
    caller: ReadCaller,
    services: ServicesDep,
    district_code: DistrictCodeQuery = None,
    township_code: TownshipCodeQuery = None,
    period_from: PeriodFrom = None,
    period_to: PeriodTo = None,
    labels: Labels = "en",
) -> Response:
    """Volunteer hours by district, station, skill and month (Hangzhou months) (scope
    `registry:read`)."""
    chosen = negotiated(request.headers.get("accept"))
    period = _period(period_from, period_to, services)
    report = await reports_activity.hours_report(
        services, caller=caller, where=ReportScope(district_code, township_code), period=period
    )
    name = f"volunteer-hours-{period.first.isoformat()}-{period.last.isoformat()}"
    return _answer(report, hours_tables, chosen, labels, name)


@router.get(
    "/workforce",
    response_model=WorkforceReport,
    responses={**SPREADSHEETS, **problems(FORMATS)},
    operation_id="get_workforce_report",
    summary="Report the social work workforce",
)
async def get_workforce_report(
    request: Request,
    caller: ReadCaller,
    services: ServicesDep,
    district_code: DistrictCodeQuery = None,
    township_code: TownshipCodeQuery = None,
    as_of: AsOf = None,
    labels: Labels = "en",
) -> Response:
    """Social workers by certificate level and employment, supervisors, the distribution of
    training hours and the workers below the R11 threshold (scope `registry:read`)."""
    chosen = negotiated(request.headers.get("accept"))
    day = judged_day(as_of, services)
    report = await reports_workforce.workforce_report(
        services, caller=caller, where=ReportScope(district_code, township_code), as_of=day
    )
    return _answer(report, workforce_tables, chosen, labels, f"workforce-{day.isoformat()}")


def _period(first: date | None, last: date | None, services: Services) -> Window:
    """The period asked for, not reversed nor ending in the future; a year to today unless
    given."""
    checked_range(first, last)
    today = hangzhou_today(services.clock())
    return report_period(first, judged_day(last, services) if last else None, today=today)
