"""/v1/organisations: social organisations, social work agencies, charities, foundations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from service.domain.offerings import ServiceCategory, Skill
from service.domain.partners import OrganisationFilter, OrganisationKind, PartnerStatus
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
from service.schemas.partners import (
    OrganisationCreate,
    OrganisationPage,
    OrganisationRead,
    OrganisationUpdate,
)
from service.usecases import organisations

router = APIRouter(prefix="/v1/organisations", tags=["organisations"], route_class=ApiRoute)


@router.post(
    "",
    status_code=201,
    response_model=OrganisationRead,
    responses=problems(CREATE),
    operation_id="create_organisation",
    summary="Register an organisation",
)
async def create_organisation(
    body: OrganisationCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Register an organisation by its USCC (scope `registry:write`)."""
    result = await organisations.create_organisation(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=OrganisationPage,
    responses=problems(READ),
    operation_id="list_organisations",
    summary="List organisations",
)
async def list_organisations(
    caller: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    division_code: DivisionCodeQuery = None,
    kind: OrganisationKind | None = None,
    category: ServiceCategory | None = None,
    skill: Skill | None = None,
    status: PartnerStatus | None = None,
    is_charity: bool | None = None,
    is_social_work_agency: bool | None = None,
    q: NameQuery = None,
) -> Response:
    """List organisations in name order; `division_code` keeps those whose area covers it."""
    where = OrganisationFilter(
        division_code=division_code,
        status=status,
        skill=skill,
        name_contains=q,
        kind=kind,
        category=category,
        is_charity=is_charity,
        is_social_work_agency=is_social_work_agency,
    )
    result = await organisations.list_organisations(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(OrganisationPage, result, where)


@router.get(
    "/{organisation_id}",
    response_model=OrganisationRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_organisation",
    summary="Get an organisation",
)
async def get_organisation(
    organisation_id: uuid.UUID,
    caller: ReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one organisation, with its ETag (scope `registry:read`)."""
    organisation = await organisations.get_organisation(
        services, caller=caller, organisation_id=organisation_id
    )
    return versioned_response(
        organisation, version=organisation["version"], if_none_match=if_none_match
    )


@router.patch(
    "/{organisation_id}",
    response_model=OrganisationRead,
    responses=problems(UPDATE),
    operation_id="update_organisation",
    summary="Change an organisation",
)
async def update_organisation(
    organisation_id: uuid.UUID,
    body: OrganisationUpdate,
    caller: WriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Change an organisation; send If-Match with its ETag (scope `registry:write`)."""
    organisation = await organisations.update_organisation(
        services,
        caller=caller,
        organisation_id=organisation_id,
        expected_version=parse_if_match(if_match),
        changes=body,
    )
    return versioned_response(organisation, version=organisation.version)
