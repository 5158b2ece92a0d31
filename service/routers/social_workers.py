"""/v1/social-workers: social workers (社会工作者); identifiers are masked except on `contact`."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from service.domain.offerings import Skill
from service.domain.partners import CertificateLevel, Employment, PartnerStatus, SupervisorLevel
from service.domain.people import SocialWorkerFilter
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
from service.schemas.social_workers import (
    SocialWorkerContact,
    SocialWorkerCreate,
    SocialWorkerMatches,
    SocialWorkerPage,
    SocialWorkerRead,
    SocialWorkerSearch,
    SocialWorkerUpdate,
)
from service.usecases import social_workers

router = APIRouter(prefix="/v1/social-workers", tags=["social-workers"], route_class=ApiRoute)
# Ids are matched as UUIDs while routing, so that `/search` is never taken for an id: another
# method on it is a 405 that allows POST, not a 404 or 428 from the routes below.


@router.post(
    "",
    status_code=201,
    response_model=SocialWorkerRead,
    responses=problems(CREATE),
    operation_id="create_social_worker",
    summary="Register a social worker",
)
async def create_social_worker(
    body: SocialWorkerCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Register a social worker by their resident ID number (scope `registry:write`)."""
    await limit_identifier_write(request, caller, sets_id_number=body.id_number is not None)
    result = await social_workers.create_social_worker(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=SocialWorkerPage,
    responses=problems(READ),
    operation_id="list_social_workers",
    summary="List social workers",
)
async def list_social_workers(
    caller: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    station_id: uuid.UUID | None = None,
    office_id: uuid.UUID | None = None,
    employer_organisation_id: uuid.UUID | None = None,
    division_code: DivisionCodeQuery = None,
    certificate_level: CertificateLevel | None = None,
    supervisor_level: SupervisorLevel | None = None,
    employment: Employment | None = None,
    skill: Skill | None = None,
    status: PartnerStatus | None = None,
    q: NameQuery = None,
) -> Response:
    """List social workers in registration order, identifiers masked (scope `registry:read`;
    `q` also needs `pii:read`)."""
    where = SocialWorkerFilter(
        division_code=division_code,
        status=status,
        skill=skill,
        name_contains=q,
        station_id=station_id,
        office_id=office_id,
        employer_organisation_id=employer_organisation_id,
        certificate_level=certificate_level,
        supervisor_level=supervisor_level,
        employment=employment,
    )
    result = await social_workers.list_social_workers(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(SocialWorkerPage, result, where)


@router.post(
    "/search",
    response_model=SocialWorkerMatches,
    responses=problems(SEARCH),
    operation_id="search_social_workers",
    summary="Find a social worker by ID number",
)
async def search_social_workers(
    body: SocialWorkerSearch,
    caller: PiiCaller,
    services: ServicesDep,
    purpose: AccessPurpose,
) -> Response:
    """Find a social worker by exact ID number, sent in the body; every search is audited
    (scope `pii:read`, with `X-Access-Purpose`)."""
    matches = await social_workers.find_social_workers_by_id_number(
        services,
        caller=caller,
        id_number=body.id_number,
        purpose=purpose,
        request_id=current_request_id(),
    )
    return json_response(matches)


@router.get(
    "/{social_worker_id:uuid}",
    response_model=SocialWorkerRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_social_worker",
    summary="Get a social worker",
)
async def get_social_worker(
    social_worker_id: uuid.UUID,
    caller: ReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one social worker, identifiers masked, with its ETag (scope `registry:read`)."""
    worker = await social_workers.get_social_worker(
        services, caller=caller, social_worker_id=social_worker_id
    )
    return versioned_response(worker, version=worker["version"], if_none_match=if_none_match)


@router.patch(
    "/{social_worker_id:uuid}",
    response_model=SocialWorkerRead,
    responses=problems(UPDATE),
    operation_id="update_social_worker",
    summary="Change a social worker",
)
async def update_social_worker(
    social_worker_id: uuid.UUID,
    body: SocialWorkerUpdate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Change a social worker; send If-Match with its ETag (scope `registry:write`)."""
    await limit_identifier_write(
        request, caller, sets_id_number="id_number" in body.model_fields_set
    )
    worker = await social_workers.update_social_worker(
        services,
        caller=caller,
        social_worker_id=social_worker_id,
        expected_version=parse_if_match(if_match),
        changes=body,
    )
    return versioned_response(worker, version=worker.version)


@router.get(
    "/{social_worker_id:uuid}/contact",
    response_model=SocialWorkerContact,
    responses=problems(READ_ONE),
    operation_id="get_social_worker_contact",
    summary="Read a social worker's contact (audited)",
)
async def get_social_worker_contact(
    social_worker_id: uuid.UUID,
    caller: PiiCaller,
    services: ServicesDep,
    purpose: AccessPurpose,
) -> Response:
    """Unmasked name, ID number and phone; each read is audited (scope `pii:read`)."""
    contact = await social_workers.disclose_contact(
        services,
        caller=caller,
        social_worker_id=social_worker_id,
        purpose=purpose,
        request_id=current_request_id(),
    )
    return json_response(contact, headers={"Cache-Control": "no-store"})
