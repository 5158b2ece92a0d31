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
    """Rank the providers that pass every hard filter, with each score's parts (`requests:read`).

    The hard filters, in order (`removed` counts, per registry, the providers each one took out):

    - `kind`: the registry can serve the category (a charity resource of the right kind …);
    - `active`: the provider takes part now;
    - `area`: its service area covers the request's division, or it lies within the radius
      (3 km) of the request's place: a great-circle distance (haversine, WGS 84), shown as
      `distance_km`, the figure the `distance` component scores too;
    - `availability`: a person's weekly slots and dated exceptions, read in Hangzhou time
      (Asia/Shanghai), cover the window **whole** on each Hangzhou day it spans – a window over
      several days is cut at midnight and each day's part must be covered (22:00 Monday to
      02:00 Tuesday needs Monday 22:00–24:00 and Tuesday 00:00–02:00); slots that meet join
      up; an exception with `available: true` makes its whole day available, `false` none of
      it. A charity resource is available when valid on the window's Hangzhou dates;
    - `capacity`: something left in the request's unit – people and venues counting the holds
      (live offers) in overlapping windows, funds and goods every hold whatever its window; a
      person held in an overlapping window has nothing left; a provider with an offer for this
      request already is out. `capacity_left` is what an offer may ask and acceptance honours;
    - `qualification`: a certificate or supervisor level where the category needs one;
    - `skills`: every one of `required_skills` held (registries that record skills).
      `preferred_skills` filter nobody: with the required ones they make `skill_coverage`.
    """
    found = await matching.find_candidates(
        services, request_id=request_id, limit=limit, caller=caller
    )
    return json_response(candidate_list(found))
