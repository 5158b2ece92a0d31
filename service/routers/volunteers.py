"""/v1/volunteers: community volunteers (社区志愿者), their skills, area and availability."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from service.domain.offerings import Skill
from service.domain.partners import PartnerStatus
from service.domain.resources import VolunteerFilter
from service.http.pagination import PageParamsDep, decode_page_token, page_response
from service.http.params import DivisionCodeQuery, NameQuery
from service.http.preconditions import IfMatch, IfNoneMatch, parse_if_match
from service.http.responses import (
    CREATE,
    NOT_MODIFIED,
    READ,
    READ_ONE,
    SEARCH,
    UPDATE,
    creation_response,
    json_response,
    problems,
    versioned_response,
)
from service.http.routing import (
    AccessPurpose,
    ApiRoute,
    IdempotencyKeyHeader,
    ServicesDep,
    SettingsDep,
    current_request_id,
    idempotency_key,
)
from service.http.security import PiiCaller, ReadCaller, WriteCaller, limit_identifier_write
from service.schemas.volunteers import (
    VolunteerContact,
    VolunteerCreate,
    VolunteerMatches,
    VolunteerPage,
    VolunteerRead,
    VolunteerSearch,
    VolunteerUpdate,
)
from service.usecases import volunteers

router = APIRouter(prefix="/v1/volunteers", tags=["volunteers"], route_class=ApiRoute)

# The id is typed in the path itself, so `/search` is never read as one (PATCH /search is 405).
ONE_VOLUNTEER = "/{volunteer_id:uuid}"
WeekdayQuery = Annotated[
    int | None,
    Query(ge=1, le=7, description="Keep volunteers with a weekly window on this ISO weekday."),
]


@router.post(
    "",
    status_code=201,
    response_model=VolunteerRead,
    responses=problems(CREATE),
    operation_id="create_volunteer",
    summary="Register a volunteer",
)
async def create_volunteer(
    body: VolunteerCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Register a volunteer; phone and ID number are stored encrypted (scope `registry:write`)."""
    await limit_identifier_write(request, caller, sets_id_number=body.id_number is not None)
    result = await volunteers.create_volunteer(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=VolunteerPage,
    responses=problems(READ),
    operation_id="list_volunteers",
    summary="List volunteers",
)
async def list_volunteers(
    caller: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    division_code: DivisionCodeQuery = None,
    skill: Skill | None = None,
    status: PartnerStatus | None = None,
    available_weekday: WeekdayQuery = None,
    q: NameQuery = None,
) -> Response:
    """List volunteers in registration order, masked; `division_code` keeps those whose area
    covers it (scope `registry:read`; `q` also needs `pii:read`)."""
    where = VolunteerFilter(
        division_code=division_code,
        status=status,
        skill=skill,
        name_contains=q,
        available_weekday=available_weekday,
    )
    result = await volunteers.list_volunteers(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(VolunteerPage, result, where)


@router.post(
    "/search",
    response_model=VolunteerMatches,
    responses=problems(SEARCH),
    operation_id="search_volunteers",
    summary="Find a volunteer by ID number",
)
async def search_volunteers(
    body: VolunteerSearch,
    caller: PiiCaller,
    services: ServicesDep,
    purpose: AccessPurpose,
) -> Response:
    """Find a volunteer by ID number sent in the body; every search is audited (scope
    `pii:read`, with `X-Access-Purpose`)."""
    found = await volunteers.find_by_id_number(
        services,
        caller=caller,
        id_number=body.id_number,
        purpose=purpose,
        request_id=current_request_id(),
    )
    return json_response(VolunteerMatches(items=found))


@router.get(
    ONE_VOLUNTEER,
    response_model=VolunteerRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_volunteer",
    summary="Get a volunteer",
)
async def get_volunteer(
    volunteer_id: uuid.UUID,
    caller: ReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one volunteer, masked, with its ETag (scope `registry:read`)."""
    volunteer = await volunteers.get_volunteer(services, caller=caller, volunteer_id=volunteer_id)
    return versioned_response(volunteer, version=volunteer["version"], if_none_match=if_none_match)


@router.patch(
    ONE_VOLUNTEER,
    response_model=VolunteerRead,
    responses=problems(UPDATE),
    operation_id="update_volunteer",
    summary="Change a volunteer",
)
async def update_volunteer(
    volunteer_id: uuid.UUID,
    body: VolunteerUpdate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Change a volunteer; send If-Match with its ETag (scope `registry:write`)."""
    await limit_identifier_write(
        request, caller, sets_id_number="id_number" in body.model_fields_set
    )
    volunteer = await volunteers.update_volunteer(
        services,
        caller=caller,
        volunteer_id=volunteer_id,
        expected_version=parse_if_match(if_match),
        changes=body,
    )
    return versioned_response(volunteer, version=volunteer.version)


@router.get(
    f"{ONE_VOLUNTEER}/contact",
    response_model=VolunteerContact,
    responses=problems(READ_ONE),
    operation_id="get_volunteer_contact",
    summary="Read a volunteer's contact (audited)",
)
async def get_volunteer_contact(
    volunteer_id: uuid.UUID,
    caller: PiiCaller,
    services: ServicesDep,
    purpose: AccessPurpose,
) -> Response:
    """Unmasked name, phone and ID number, each read audited (scope `pii:read`)."""
    contact = await volunteers.volunteer_contact(
        services,
        caller=caller,
        volunteer_id=volunteer_id,
        purpose=purpose,
        request_id=current_request_id(),
    )
    return json_response(contact, headers={"Cache-Control": "no-store"})
