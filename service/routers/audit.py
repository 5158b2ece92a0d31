"""/v1/audit-events: who read whose personal data (scope `audit`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from service.domain.access import Caller, Scope
from service.domain.audit import AuditFilter
from service.http.pagination import (
    PageParamsDep,
    decode_page_token,
    page_response,
)
from service.http.params import Instant
from service.http.responses import READ, problems
from service.http.routing import ApiRoute, ServicesDep
from service.http.security import require
from service.schemas.audit import AuditEventPage
from service.usecases import audit

router = APIRouter(prefix="/v1/audit-events", tags=["audit"], route_class=ApiRoute)

AuditCaller = Annotated[Caller, Depends(require(Scope.AUDIT))]


@router.get(
    "",
    response_model=AuditEventPage,
    responses=problems(READ),
    operation_id="list_audit_events",
    summary="List the personal-data audit trail",
)
async def list_audit_events(
    caller: AuditCaller,
    services: ServicesDep,
    page: PageParamsDep,
    client_id: uuid.UUID | None = None,
    subject_type: Annotated[str | None, Query(pattern=r"^[a-z_]{1,32}$")] = None,
    subject_id: uuid.UUID | None = None,
    action: Annotated[str | None, Query(pattern=r"^[a-z_.]{1,64}$")] = None,
    since: Annotated[
        Instant | None, Query(description="Occurred at or after (ISO 8601, with offset).")
    ] = None,
    until: Annotated[
        Instant | None, Query(description="Occurred before (ISO 8601, with offset).")
    ] = None,
) -> Response:
    """List personal-data disclosures and searches by ID number, newest first (scope `audit`;
    a bound client sees what its own clients did and what was done to the persons it keeps)."""
    where = AuditFilter(
        client_id=client_id,
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        since=since,
        until=until,
    )
    result = await audit.list_audit_events(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(AuditEventPage, result, where)
