"""/v1/linkages: the linkage graph (五社联动) between stations and their partners."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from service.domain.linkages import LinkageFilter, LinkageKind, LinkageStatus, PartnerType
from service.http.pagination import PageParamsDep, decode_page_token, page_response
from service.http.params import CalendarDate
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
from service.schemas.linkages import (
    LinkageCreate,
    LinkagePage,
    LinkageRead,
    LinkageUpdate,
)
from service.usecases import linkages

router = APIRouter(prefix="/v1/linkages", tags=["linkages"], route_class=ApiRoute)


@router.post(
    "",
    status_code=201,
    response_model=LinkageRead,
    responses=problems(CREATE),
    operation_id="create_linkage",
    summary="Create a linkage",
)
async def create_linkage(
    body: LinkageCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Link a station to a partner or pair two stations (scope `registry:write`)."""
    result = await linkages.create_linkage(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=LinkagePage,
    responses=problems(READ),
    operation_id="list_linkages",
    summary="List linkages",
)
async def list_linkages(
    caller: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    station_id: Annotated[
        uuid.UUID | None,
        Query(description="Linkages at this station, pairings registered by the other side too."),
    ] = None,
    kind: LinkageKind | None = None,
    partner_type: PartnerType | None = None,
    partner_id: uuid.UUID | None = None,
    status: LinkageStatus | None = None,
    active_on: Annotated[
        CalendarDate | None,
        Query(description="Keep linkages whose period (starts_on … ends_on) includes this day."),
    ] = None,
) -> Response:
    """List linkages in start-date order (scope `registry:read`)."""
    where = LinkageFilter(
        station_id=station_id,
        kind=kind,
        partner_type=partner_type,
        partner_id=partner_id,
        status=status,
        active_on=active_on,
    )
    result = await linkages.list_linkages(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(LinkagePage, result, where)


@router.get(
    "/{linkage_id}",
    response_model=LinkageRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_linkage",
    summary="Get a linkage",
)
async def get_linkage(
    linkage_id: uuid.UUID,
    caller: ReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one linkage, with its ETag (scope `registry:read`)."""
    linkage = await linkages.get_linkage(services, caller=caller, linkage_id=linkage_id)
    return versioned_response(linkage, version=linkage["version"], if_none_match=if_none_match)


@router.patch(
    "/{linkage_id}",
    response_model=LinkageRead,
    responses=problems(UPDATE),
    operation_id="update_linkage",
    summary="Change or end a linkage",
)
async def update_linkage(
    linkage_id: uuid.UUID,
    body: LinkageUpdate,
    caller: WriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Change a linkage's status, last day or agreement; send If-Match (scope `registry:write`)."""
    linkage = await linkages.update_linkage(
        services,
        caller=caller,
        linkage_id=linkage_id,
        expected_version=parse_if_match(if_match),
        changes=body,
    )
    return versioned_response(linkage, version=linkage.version)
