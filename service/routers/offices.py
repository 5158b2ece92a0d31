"""/v1/offices: community featured social work offices (社区特色社会工作室)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from service.domain.stations import OfficeFilter
from service.http.pagination import PageParamsDep, decode_page_token, page_response
from service.http.params import DistrictCodeQuery
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
from service.schemas.stations import OfficeCreate, OfficePage, OfficeRead, OfficeUpdate
from service.usecases import offices

router = APIRouter(prefix="/v1/offices", tags=["offices"], route_class=ApiRoute)


@router.post(
    "",
    status_code=201,
    response_model=OfficeRead,
    responses=problems(CREATE),
    operation_id="create_office",
    summary="Open a community office",
)
async def create_office(
    body: OfficeCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Open a community office under its township's station (scope `registry:write`)."""
    result = await offices.create_office(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=OfficePage,
    responses=problems(READ),
    operation_id="list_offices",
    summary="List community offices",
)
async def list_offices(
    _: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    station_id: uuid.UUID | None = None,
    district_code: DistrictCodeQuery = None,
    is_demonstration: bool | None = None,
) -> Response:
    """List offices in community-code order (scope `registry:read`)."""
    where = OfficeFilter(
        station_id=station_id, district_code=district_code, is_demonstration=is_demonstration
    )
    result = await offices.list_offices(
        services, where=where, after=decode_page_token(page.token, where), limit=page.size
    )
    return page_response(OfficePage, result, where)


@router.get(
    "/{office_id}",
    response_model=OfficeRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_office",
    summary="Get a community office",
)
async def get_office(
    office_id: uuid.UUID,
    _: ReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one office, with its ETag (scope `registry:read`)."""
    office = await offices.get_office(services, office_id=office_id)
    return versioned_response(office, version=office["version"], if_none_match=if_none_match)


@router.patch(
    "/{office_id}",
    response_model=OfficeRead,
    responses=problems(UPDATE),
    operation_id="update_office",
    summary="Change a community office",
)
async def update_office(
    office_id: uuid.UUID,
    body: OfficeUpdate,
    caller: WriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Change an office; send If-Match with its ETag (scope `registry:write`)."""
    office = await offices.update_office(
        services,
        caller=caller,
        office_id=office_id,
        expected_version=parse_if_match(if_match),
        changes=body,
    )
    return versioned_response(office, version=office.version)
