"""/v1/reports: what the bureau tracks its targets with."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from service.domain.coverage import TargetYear
from service.http.responses import READ, json_response, problems
from service.http.routing import ApiRoute, ServicesDep
from service.http.security import ReadCaller
from service.schemas.divisions import CoverageReport
from service.usecases import registry

router = APIRouter(prefix="/v1/reports", tags=["reports"], route_class=ApiRoute)


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
