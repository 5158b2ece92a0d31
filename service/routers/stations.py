"""/v1/stations: township/street social work stations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from service.domain.stations import StationFilter
from service.domain.vocabulary import Specialty, StationStatus
from service.http.pagination import (
    PageParamsDep,
    decode_page_token,
    page_response,
)
from service.http.params import DistrictCodeQuery, TownshipCodeQuery
from service.http.preconditions import IfMatch, IfNoneMatch, parse_if_match
from service.http.responses import (
    CREATE,
    NOT_MODIFIED,
    READ,
    READ_ONE,
    UPDATE,
    creation_response,
    problems,
    versioned_response,
)
from service.http.routing import (
    ApiRoute,
    IdempotencyKeyHeader,
    ServicesDep,
    SettingsDep,
    idempotency_key,
)
from service.http.security import ReadCaller, WriteCaller
from service.schemas.stations import StationCreate, StationPage, StationRead, StationUpdate
from service.usecases import stations

router = APIRouter(prefix="/v1/stations", tags=["stations"], route_class=ApiRoute)


@router.post(
    "",
    status_code=201,
    response_model=StationRead,
    responses=problems(CREATE),
    operation_id="create_station",
    summary="Register a station",
)
async def create_station(
    body: StationCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Register a township's social work station (scope `registry:write`)."""
    result = await stations.create_station(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=StationPage,
    responses=problems(READ),
    operation_id="list_stations",
    summary="List stations",
)
async def list_stations(
    _: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    district_code: DistrictCodeQuery = None,
    township_code: TownshipCodeQuery = None,
    status: StationStatus | None = None,
    is_demonstration: bool | None = None,
    specialty: Specialty | None = None,
) -> Response:
    """List stations in township-code order (scope `registry:read`)."""
    where = StationFilter(
        district_code=district_code,
        township_code=township_code,
        status=status,
        is_demonstration=is_demonstration,
        specialty=specialty,
    )
    result = await stations.list_stations(
        services, where=where, after=decode_page_token(page.token, where), limit=page.size
    )
    return page_response(StationPage, result, where)


@router.get(
    "/{station_id}",
    response_model=StationRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_station",
    summary="Get a station",
)
async def get_station(
    station_id: uuid.UUID,
    _: ReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one station, with its ETag (scope `registry:read`)."""
    station = await stations.get_station(services, station_id=station_id)
    return versioned_response(station, version=station["version"], if_none_match=if_none_match)


@router.patch(
    "/{station_id}",
    response_model=StationRead,
    responses=problems(UPDATE),
    operation_id="update_station",
    summary="Change a station",
)
async def update_station(
    station_id: uuid.UUID,
    body: StationUpdate,
    caller: WriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Change a station; send If-Match with its ETag (scope `registry:write`)."""
    station = await stations.update_station(
        services,
        caller=caller,
        station_id=station_id,
        expected_version=parse_if_match(if_match),
        changes=body,
    )
    return versioned_response(station, version=station.version)
