"""/v1/charity-resources: funds, goods, venues and projects organisations offer (社会慈善资源)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from service.domain.offerings import TargetGroup
from service.domain.partners import CharityResourceKind, PartnerStatus
from service.domain.resources import CharityResourceFilter
from service.http.pagination import PageParamsDep, decode_page_token, page_response
from service.http.params import DivisionCodeQuery, NameQuery
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
from service.schemas.charity_resources import (
    CharityResourceCreate,
    CharityResourcePage,
    CharityResourceRead,
    CharityResourceUpdate,
)
from service.schemas.volunteers import Day
from service.usecases import charity_resources

router = APIRouter(prefix="/v1/charity-resources", tags=["charity-resources"], route_class=ApiRoute)

AvailableOnQuery = Annotated[
    Day | None,
    Query(description="Keep resources whose validity window includes this date (YYYY-MM-DD)."),
]
HasRemainingQuery = Annotated[
    bool | None,
    Query(description="`true`: something is left; `false`: used up."),
]


@router.post(
    "",
    status_code=201,
    response_model=CharityResourceRead,
    responses=problems(CREATE),
    operation_id="create_charity_resource",
    summary="Register a charity resource",
)
async def create_charity_resource(
    body: CharityResourceCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Register a resource a registered organisation offers (scope `registry:write`)."""
    result = await charity_resources.create_charity_resource(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=CharityResourcePage,
    responses=problems(READ),
    operation_id="list_charity_resources",
    summary="List charity resources",
)
async def list_charity_resources(
    _: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    organisation_id: uuid.UUID | None = None,
    kind: CharityResourceKind | None = None,
    target_group: TargetGroup | None = None,
    division_code: DivisionCodeQuery = None,
    status: PartnerStatus | None = None,
    available_on: AvailableOnQuery = None,
    has_remaining: HasRemainingQuery = None,
    q: NameQuery = None,
) -> Response:
    """List charity resources in title order; `q` searches the title (scope `registry:read`)."""
    where = CharityResourceFilter(
        organisation_id=organisation_id,
        kind=kind,
        target_group=target_group,
        division_code=division_code,
        status=status,
        available_on=available_on,
        has_remaining=has_remaining,
        title_contains=q,
    )
    result = await charity_resources.list_charity_resources(
        services, where=where, after=decode_page_token(page.token, where), limit=page.size
    )
    return page_response(CharityResourcePage, result, where)


@router.get(
    "/{resource_id}",
    response_model=CharityResourceRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_charity_resource",
    summary="Get a charity resource",
)
async def get_charity_resource(
    resource_id: uuid.UUID,
    _: ReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one charity resource, with its ETag (scope `registry:read`)."""
    resource = await charity_resources.get_charity_resource(services, resource_id=resource_id)
    return versioned_response(resource, version=resource["version"], if_none_match=if_none_match)


@router.patch(
    "/{resource_id}",
    response_model=CharityResourceRead,
    responses=problems(UPDATE),
    operation_id="update_charity_resource",
    summary="Change a charity resource",
)
async def update_charity_resource(
    resource_id: uuid.UUID,
    body: CharityResourceUpdate,
    caller: WriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Change a charity resource; send If-Match with its ETag (scope `registry:write`)."""
    resource = await charity_resources.update_charity_resource(
        services,
        caller=caller,
        resource_id=resource_id,
        expected_version=parse_if_match(if_match),
        changes=body,
    )
    return versioned_response(resource, version=resource.version)
