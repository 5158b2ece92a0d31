"""GET /v1/stations/{id}/compliance and /v1/offices/{id}/compliance: a verdict per rule."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from service.http.responses import READ_ONE, json_response, problems
from service.http.routing import ApiRoute, ServicesDep
from service.http.security import ReadCaller
from service.routers.periods import AsOf, judged_day
from service.schemas.compliance import OfficeComplianceRead, StationComplianceRead
from service.usecases import compliance

router = APIRouter(tags=["compliance"], route_class=ApiRoute)


@router.get(
    "/v1/stations/{station_id}/compliance",
    response_model=StationComplianceRead,
    responses=problems(READ_ONE),
    operation_id="get_station_compliance",
    summary="Judge a station against every rule",
)
async def get_station_compliance(
    station_id: uuid.UUID, caller: ReadCaller, services: ServicesDep, as_of: AsOf = None
) -> Response:
    """Every station rule (R1–R4, R6–R11, R16, R18) with its verdict and evidence on a day
    (scope `registry:read`; a bound client, its own or linked stations)."""
    result = await compliance.station_compliance(
        services, caller=caller, station_id=station_id, as_of=judged_day(as_of, services)
    )
    return json_response(result)


@router.get(
    "/v1/offices/{office_id}/compliance",
    response_model=OfficeComplianceRead,
    responses=problems(READ_ONE),
    operation_id="get_office_compliance",
    summary="Judge a community office (R5)",
)
async def get_office_compliance(
    office_id: uuid.UUID, caller: ReadCaller, services: ServicesDep, as_of: AsOf = None
) -> Response:
    """R5 for a community office: a demonstration office has a certified social worker (scope
    `registry:read`)."""
    result = await compliance.office_compliance(
        services, caller=caller, office_id=office_id, as_of=judged_day(as_of, services)
    )
    return json_response(result)
