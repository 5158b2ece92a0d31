"""/v1/universities: university partners (高校, R15) – practice bases, research, supervision."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from service.domain.partners import PartnerStatus, UniversityOffer
from service.domain.people import UniversityFilter
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
from service.schemas.universities import (
    UniversityCreate,
    UniversityPage,
    UniversityRead,
    UniversityUpdate,
)
from service.usecases import universities

router = APIRouter(prefix="/v1/universities", tags=["universities"], route_class=ApiRoute)


@router.post(
    "",
    status_code=201,
    response_model=UniversityRead,
    responses=problems(CREATE),
    operation_id="create_university",
    summary="Register a university",
)
async def create_university(
    body: UniversityCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Register a university partner by its USCC (scope `registry:write`)."""
    result = await universities.create_university(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=UniversityPage,
    responses=problems(READ),
    operation_id="list_universities",
    summary="List universities",
)
async def list_universities(
    caller: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    division_code: DivisionCodeQuery = None,
    offer: UniversityOffer | None = None,
    status: PartnerStatus | None = None,
    q: NameQuery = None,
) -> Response:
    """List universities in name order; `division_code` keeps those whose area covers it."""
    where = UniversityFilter(
        division_code=division_code, status=status, name_contains=q, offer=offer
    )
    result = await universities.list_universities(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(UniversityPage, result, where)


@router.get(
    "/{university_id}",
    response_model=UniversityRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_university",
    summary="Get a university",
)
async def get_university(
    university_id: uuid.UUID,
    caller: ReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one university, with its ETag (scope `registry:read`)."""
    university = await universities.get_university(
        services, caller=caller, university_id=university_id
    )
    return versioned_response(
        university, version=university["version"], if_none_match=if_none_match
    )


@router.patch(
    "/{university_id}",
    response_model=UniversityRead,
    responses=problems(UPDATE),
    operation_id="update_university",
    summary="Change a university",
)
async def update_university(
    university_id: uuid.UUID,
    body: UniversityUpdate,
    caller: WriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Change a university; send If-Match with its ETag (scope `registry:write`)."""
    university = await universities.update_university(
        services,
        caller=caller,
        university_id=university_id,
        expected_version=parse_if_match(if_match),
        changes=body,
    )
    return versioned_response(university, version=university.version)
