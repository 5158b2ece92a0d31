"""/v1/allocation-runs: batch allocation of open requests to their candidates (scope
`allocation:run`, not for station-bound clients)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from service.domain.access import Caller, Scope
from service.domain.allocation import RunFilter, RunStatus
from service.http.pagination import (
    PageParamsDep,
    decode_page_token,
    page_response,
)
from service.http.params import DistrictCodeQuery
from service.http.responses import (
    CREATE,
    READ,
    READ_ONE,
    creation_response,
    json_response,
    problems,
)
from service.http.routing import (
    ApiRoute,
    IdempotencyKeyHeader,
    ServicesDep,
    SettingsDep,
    idempotency_key,
)
from service.http.security import require
from service.schemas.allocation_runs import (
    AllocationApplyResult,
    AllocationRunCreate,
    AllocationRunDetail,
    AllocationRunPage,
    AllocationRunRead,
)
from service.schemas.common import NoBody
from service.usecases import allocation_runs

router = APIRouter(prefix="/v1/allocation-runs", tags=["allocation-runs"], route_class=ApiRoute)

AllocationCaller = Annotated[Caller, Depends(require(Scope.ALLOCATION_RUN))]


@router.post(
    "",
    status_code=202,
    response_model=AllocationRunRead,
    responses=problems(CREATE),
    operation_id="start_allocation_run",
    summary="Start a batch allocation run",
)
async def start_allocation_run(
    body: AllocationRunCreate,
    request: Request,
    caller: AllocationCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Allocate the open requests of a district, or of the whole city, to their candidates
    (scope `allocation:run`).

    Answers 202 with the queued run and its `Location` at once; the run goes on in the
    background. Poll `GET /v1/allocation-runs/{id}` until it has `succeeded` (or `failed`).
    """
    result = await allocation_runs.start_allocation_run(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=AllocationRunPage,
    responses=problems(READ),
    operation_id="list_allocation_runs",
    summary="List allocation runs",
)
async def list_allocation_runs(
    caller: AllocationCaller,
    services: ServicesDep,
    page: PageParamsDep,
    status: RunStatus | None = None,
    district_code: DistrictCodeQuery = None,
) -> Response:
    """List allocation runs, newest first, without their assignments (scope `allocation:run`)."""
    where = RunFilter(status=status, district_code=district_code)
    result = await allocation_runs.list_allocation_runs(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(AllocationRunPage, result, where)


@router.get(
    "/{run_id}",
    response_model=AllocationRunDetail,
    responses=problems(READ_ONE),
    operation_id="get_allocation_run",
    summary="Get an allocation run",
)
async def get_allocation_run(
    run_id: uuid.UUID, caller: AllocationCaller, services: ServicesDep
) -> Response:
    """A run's status, figures and proposed assignments, each with its score and the reasons
    for it (scope `allocation:run`)."""
    run = await allocation_runs.get_allocation_run(services, caller=caller, run_id=run_id)
    return json_response(run)


@router.post(
    "/{run_id}/apply",
    response_model=AllocationApplyResult,
    responses=problems((*CREATE, 404)),
    operation_id="apply_allocation_run",
    summary="Apply an allocation run",
)
async def apply_allocation_run(
    run_id: uuid.UUID,
    request: Request,
    caller: AllocationCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Turn a succeeded run's assignments into offers, once (scope `allocation:run`).

    Each request is checked again: assignments to a request that is no longer open, or that
    would offer more than is still free, are skipped and counted. 409 when the run has not
    succeeded or has been applied already (a retry with the same `Idempotency-Key` answers
    what the first call did).
    """
    result = await allocation_runs.apply_allocation_run(
        services,
        caller=caller,
        run_id=run_id,
        key=idempotency_key(key, request=request, body=NoBody()),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)
