"""GET /v1/resource-requests/{id}/candidates: who can serve a request, and why."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from service.domain.access import Caller, Scope
from service.http.responses import READ_ONE, json_response, problems
from service.http.routing import ApiRoute, ServicesDep
from service.http.security import require
from service.schemas.matching import CandidateList, candidate_list
from service.usecases import matching

router = APIRouter(prefix="/v1/resource-requests", tags=["matching"], route_class=ApiRoute)

RequestsReader = Annotated[Caller, Depends(require(Scope.REQUESTS_READ))]


@router.get(
    "/{request_id}/candidates",
    response_model=CandidateList,
    responses=problems((*READ_ONE, 409)),
    operation_id="list_candidates",
    summary="Rank a request's candidates, with reasons",
)
async def list_candidates(
    request_id: uuid.UUID,
    caller: RequestsReader,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=100, description="How many candidates.")] = 20,
) -> Response:
    """Rank the providers that pass every hard filter, with each score's parts (`requests:read`)."""
    found = await matching.find_candidates(
        services, request_id=request_id, limit=limit, caller=caller
    )
    return json_response(candidate_list(found))
