"""/v1/supervision-sessions: supervision recorded and archived (R10); corrections are versions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from service.domain.supervision import SessionFilter, SessionStatus, SupervisorType
from service.http.pagination import (
    PageParamsDep,
    decode_page_token,
    page_response,
)
from service.http.preconditions import IfMatch, IfNoneMatch, parse_if_match
from service.http.responses import (
    CREATE,
    NOT_MODIFIED,
    READ,
    READ_ONE,
    UPDATE,
    creation_response,
    json_response,
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
from service.routers.periods import From, To, checked_range
from service.schemas.supervision import (
    SupervisionSessionCorrection,
    SupervisionSessionCreate,
    SupervisionSessionPage,
    SupervisionSessionRead,
    SupervisionSessionVersionPage,
    SupervisionSessionVersionRead,
)
from service.usecases import supervision_sessions

router = APIRouter(
    prefix="/v1/supervision-sessions", tags=["supervision-sessions"], route_class=ApiRoute
)
Version = Annotated[int, Path(ge=1, le=1_000_000)]


@router.post(
    "",
    status_code=201,
    response_model=SupervisionSessionRead,
    responses=problems(CREATE),
    operation_id="create_supervision_session",
    summary="Record a supervision session",
)
async def create_supervision_session(
    body: SupervisionSessionCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Record a supervision session held at a station (R10; scope `registry:write`)."""
    result = await supervision_sessions.record_session(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=SupervisionSessionPage,
    responses=problems(READ),
    operation_id="list_supervision_sessions",
    summary="List supervision sessions",
)
async def list_supervision_sessions(
    caller: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    station_id: uuid.UUID | None = None,
    supervisor_type: SupervisorType | None = None,
    supervisor_id: uuid.UUID | None = None,
    status: SessionStatus | None = None,
    held_from: From = None,
    held_to: To = None,
) -> Response:
    """List the sessions the caller may see, by the day held (scope `registry:read`)."""
    first, last = checked_range(held_from, held_to)
    where = SessionFilter(
        station_id=station_id,
        supervisor_type=supervisor_type,
        supervisor_id=supervisor_id,
        status=status,
        held_from=first,
        held_to=last,
    )
    result = await supervision_sessions.list_sessions(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(SupervisionSessionPage, result, where)


@router.get(
    "/{session_id}",
    response_model=SupervisionSessionRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_supervision_session",
    summary="Get a supervision session",
)
async def get_supervision_session(
    session_id: uuid.UUID,
    caller: ReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get a session as it stands, with its ETag (scope `registry:read`)."""
    found = await supervision_sessions.get_session(services, caller=caller, session_id=session_id)
    return versioned_response(found, version=found["version"], if_none_match=if_none_match)


@router.patch(
    "/{session_id}",
    response_model=SupervisionSessionRead,
    responses=problems(UPDATE),
    operation_id="correct_supervision_session",
    summary="Correct a supervision session",
)
async def correct_supervision_session(
    session_id: uuid.UUID,
    body: SupervisionSessionCorrection,
    caller: WriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Correct a session: its next version, the previous kept in the archive; send If-Match
    (scope `registry:write`)."""
    corrected = await supervision_sessions.correct_session(
        services,
        caller=caller,
        session_id=session_id,
        expected_version=parse_if_match(if_match),
        correction=body,
    )
    return versioned_response(corrected, version=corrected.version)


@router.get(
    "/{session_id}/versions",
    response_model=SupervisionSessionVersionPage,
    responses=problems(READ_ONE),
    operation_id="list_supervision_session_versions",
    summary="List a supervision session's versions",
)
async def list_supervision_session_versions(
    session_id: uuid.UUID, caller: ReadCaller, services: ServicesDep, page: PageParamsDep
) -> Response:
    """List every version of a session, oldest first (scope `registry:read`)."""
    result = await supervision_sessions.list_versions(
        services,
        caller=caller,
        session_id=session_id,
        after=decode_page_token(page.token, {"session_id": str(session_id)}),
        limit=page.size,
    )
    return page_response(SupervisionSessionVersionPage, result, {"session_id": str(session_id)})


@router.get(
    "/{session_id}/versions/{version}",
    response_model=SupervisionSessionVersionRead,
    responses=problems(READ_ONE),
    operation_id="get_supervision_session_version",
    summary="Get one version of a supervision session",
)
async def get_supervision_session_version(
    session_id: uuid.UUID, version: Version, caller: ReadCaller, services: ServicesDep
) -> Response:
    """Get one archived version of a session, exactly as recorded (scope `registry:read`)."""
    found = await supervision_sessions.get_version(
        services, caller=caller, session_id=session_id, version=version
    )
    return json_response(found)
