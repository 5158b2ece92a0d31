"""/v1/resource-requests: what stations need, and how far each need has been answered."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import AfterValidator

from service.domain.access import Caller, Scope
from service.domain.errors import FieldProblem
from service.domain.offerings import ServiceCategory
from service.domain.requests import RequestFilter, RequestStatus, Urgency
from service.http.pagination import (
    PageParamsDep,
    decode_page_token,
    page_response,
)
from service.http.params import DistrictCodeQuery, Instant
from service.http.preconditions import IfMatch, IfNoneMatch, parse_if_match
from service.http.problems import ProblemError
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
from service.http.security import require
from service.schemas.common import NoBody
from service.schemas.resource_requests import (
    ResourceRequestCreate,
    ResourceRequestPage,
    ResourceRequestRead,
    ResourceRequestUpdate,
    in_service_years,
)
from service.usecases import resource_requests

router = APIRouter(prefix="/v1/resource-requests", tags=["resource-requests"], route_class=ApiRoute)

RequestsReadCaller = Annotated[Caller, Depends(require(Scope.REQUESTS_READ))]
RequestsWriteCaller = Annotated[Caller, Depends(require(Scope.REQUESTS_WRITE))]

# A status change: the request may have moved on (409), the key may be reused (422).
ACTION = (*CREATE, 404)

WindowBound = Annotated[Instant, AfterValidator(in_service_years)]


@router.post(
    "",
    status_code=201,
    response_model=ResourceRequestRead,
    responses=problems(CREATE),
    operation_id="create_resource_request",
    summary="Post a resource request",
)
async def create_resource_request(
    body: ResourceRequestCreate,
    request: Request,
    caller: RequestsWriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Post what a station needs; it starts `open` (scope `requests:write`)."""
    result = await resource_requests.create_request(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=ResourceRequestPage,
    responses=problems(READ),
    operation_id="list_resource_requests",
    summary="List resource requests",
)
async def list_resource_requests(
    caller: RequestsReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    station_id: uuid.UUID | None = None,
    district_code: DistrictCodeQuery = None,
    status: RequestStatus | None = None,
    category: ServiceCategory | None = None,
    urgency: Urgency | None = None,
    window_from: Annotated[
        WindowBound | None,
        Query(description="Keep requests whose window ends after this (ISO 8601, with offset)."),
    ] = None,
    window_to: Annotated[
        WindowBound | None,
        Query(description="Keep requests whose window starts before this (ISO 8601, with offset)."),
    ] = None,
) -> Response:
    """List requests by window start (scope `requests:read`); station-bound: its own only."""
    if window_from is not None and window_to is not None and window_to <= window_from:
        raise ProblemError(
            400,
            "invalid_parameter",
            "window_to must come after window_from",
            errors=[
                FieldProblem(
                    "query.window_to",
                    "must come after window_from",
                    code="window_ends_before_start",
                )
            ],
        )
    where = RequestFilter(
        station_id=station_id,
        district_code=district_code,
        status=status,
        category=category,
        urgency=urgency,
        window_from=window_from,
        window_to=window_to,
    )
    result = await resource_requests.list_requests(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(ResourceRequestPage, result, where)


@router.get(
    "/{request_id}",
    response_model=ResourceRequestRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_resource_request",
    summary="Get a resource request",
)
async def get_resource_request(
    request_id: uuid.UUID,
    caller: RequestsReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one request, with its ETag (scope `requests:read`)."""
    found = await resource_requests.get_request(services, caller=caller, request_id=request_id)
    return versioned_response(found, version=found["version"], if_none_match=if_none_match)


@router.patch(
    "/{request_id}",
    response_model=ResourceRequestRead,
    responses=problems(UPDATE),
    operation_id="update_resource_request",
    summary="Change a resource request",
)
async def update_resource_request(
    request_id: uuid.UUID,
    body: ResourceRequestUpdate,
    caller: RequestsWriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Change an open or partially committed request; send If-Match (scope `requests:write`)."""
    changed = await resource_requests.update_request(
        services,
        caller=caller,
        request_id=request_id,
        expected_version=parse_if_match(if_match),
        changes=body,
    )
    return versioned_response(changed, version=changed.version)


@router.post(
    "/{request_id}/cancel",
    response_model=ResourceRequestRead,
    responses=problems(ACTION),
    operation_id="cancel_resource_request",
    summary="Cancel a resource request",
)
async def cancel_resource_request(
    request_id: uuid.UUID,
    request: Request,
    caller: RequestsWriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Cancel a request not yet fulfilled, withdrawing its live offers (scope `requests:write`)."""
    result = await resource_requests.cancel_request(
        services,
        caller=caller,
        request_id=request_id,
        key=idempotency_key(key, request=request, body=NoBody()),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.post(
    "/{request_id}/close",
    response_model=ResourceRequestRead,
    responses=problems(ACTION),
    operation_id="close_resource_request",
    summary="Close a fulfilled request",
)
async def close_resource_request(
    request_id: uuid.UUID,
    request: Request,
    caller: RequestsWriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Close a fulfilled request (scope `requests:write`)."""
    result = await resource_requests.close_request(
        services,
        caller=caller,
        request_id=request_id,
        key=idempotency_key(key, request=request, body=NoBody()),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)
