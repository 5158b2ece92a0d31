"""/v1/training-records: the training social workers completed (R11), a course at a time."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from service.domain.supervision import TrainingFilter, TrainingKind, TrainingStatus
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
    TrainingBatch,
    TrainingCourseCreate,
    TrainingRecordPage,
    TrainingRecordRead,
    TrainingRecordUpdate,
)
from service.usecases import training_records

router = APIRouter(prefix="/v1/training-records", tags=["training-records"], route_class=ApiRoute)


@router.post(
    "",
    status_code=201,
    response_model=TrainingBatch,
    responses=problems(CREATE),
    operation_id="create_training_records",
    summary="Record a training course's attendees",
)
async def create_training_records(
    body: TrainingCourseCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Record a completed course for each of its attendees, all or none (R11; scope
    `registry:write`). `Location` lists the records of the posting."""
    result = await training_records.record_course(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=TrainingRecordPage,
    responses=problems(READ),
    operation_id="list_training_records",
    summary="List training records",
)
async def list_training_records(
    caller: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    social_worker_id: uuid.UUID | None = None,
    station_id: uuid.UUID | None = None,
    kind: TrainingKind | None = None,
    provider_id: uuid.UUID | None = None,
    batch_id: uuid.UUID | None = None,
    status: TrainingStatus | None = None,
    completed_from: From = None,
    completed_to: To = None,
) -> Response:
    """List the training records the caller may see, by completion day (scope
    `registry:read`)."""
    first, last = checked_range(completed_from, completed_to)
    where = TrainingFilter(
        social_worker_id=social_worker_id,
        station_id=station_id,
        kind=kind,
        provider_id=provider_id,
        batch_id=batch_id,
        status=status,
        completed_from=first,
        completed_to=last,
    )
    result = await training_records.list_records(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(TrainingRecordPage, result, where)


@router.get(
    "/{record_id}",
    response_model=TrainingRecordRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_training_record",
    summary="Get a training record",
)
async def get_training_record(
    record_id: uuid.UUID,
    caller: ReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one training record with its ETag (scope `registry:read`)."""
    found = await training_records.get_record(services, caller=caller, record_id=record_id)
    return versioned_response(found, version=found["version"], if_none_match=if_none_match)


@router.patch(
    "/{record_id}",
    response_model=TrainingRecordRead,
    responses=problems(UPDATE),
    operation_id="update_training_record",
    summary="Correct or void a training record",
)
async def update_training_record(
    record_id: uuid.UUID,
    body: TrainingRecordUpdate,
    caller: WriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Correct or void a training record; send If-Match (scope `registry:write`)."""
    corrected = await training_records.correct_record(
        services,
        caller=caller,
        record_id=record_id,
        expected_version=parse_if_match(if_match),
        changes=body,
    )
    return versioned_response(corrected, version=corrected.version)
