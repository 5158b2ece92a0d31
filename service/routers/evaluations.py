"""/v1/evaluations and /v1/satisfaction-surveys: the bureau's evaluation of stations (R17)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from service.domain.evaluations import EvaluationFilter, EvaluationOutcome
from service.http.pagination import (
    PageParamsDep,
    decode_page_token,
    page_response,
)
from service.http.params import DistrictCodeQuery
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
from service.schemas.evaluations import (
    EvaluationCreate,
    EvaluationPage,
    EvaluationRead,
    EvaluationUpdate,
    SurveyCreate,
    SurveyPage,
    SurveyRead,
)
from service.usecases import evaluations

router = APIRouter(tags=["evaluations"], route_class=ApiRoute)


def _filter(
    station_id: uuid.UUID | None,
    district_code: str | None,
    first: object,
    last: object,
    outcome: EvaluationOutcome | None = None,
) -> EvaluationFilter:
    period_from, period_to = checked_range(first, last)  # type: ignore[arg-type]
    return EvaluationFilter(
        station_id=station_id,
        district_code=district_code,
        outcome=outcome,
        period_from=period_from,
        period_to=period_to,
    )


@router.post(
    "/v1/evaluations",
    status_code=201,
    response_model=EvaluationRead,
    responses=problems(CREATE),
    operation_id="create_evaluation",
    summary="Record an evaluation of a station",
)
async def create_evaluation(
    body: EvaluationCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Record the bureau's evaluation of a station (R17; unbound clients, `registry:write`)."""
    result = await evaluations.record_evaluation(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "/v1/evaluations",
    response_model=EvaluationPage,
    responses=problems(READ),
    operation_id="list_evaluations",
    summary="List evaluations",
)
async def list_evaluations(
    caller: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    station_id: uuid.UUID | None = None,
    district_code: DistrictCodeQuery = None,
    outcome: EvaluationOutcome | None = None,
    period_from: From = None,
    period_to: To = None,
) -> Response:
    """List evaluations whose period meets `from`–`to`; a station sees its own (scope
    `registry:read`)."""
    where = _filter(station_id, district_code, period_from, period_to, outcome)
    result = await evaluations.list_evaluations(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(EvaluationPage, result, where)


@router.get(
    "/v1/evaluations/{evaluation_id}",
    response_model=EvaluationRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_evaluation",
    summary="Get an evaluation",
)
async def get_evaluation(
    evaluation_id: uuid.UUID,
    caller: ReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one evaluation with its ETag (scope `registry:read`)."""
    found = await evaluations.get_evaluation(services, caller=caller, evaluation_id=evaluation_id)
    return versioned_response(found, version=found.version, if_none_match=if_none_match)


@router.patch(
    "/v1/evaluations/{evaluation_id}",
    response_model=EvaluationRead,
    responses=problems(UPDATE),
    operation_id="update_evaluation",
    summary="Change an evaluation",
)
async def update_evaluation(
    evaluation_id: uuid.UUID,
    body: EvaluationUpdate,
    caller: WriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Change an evaluation; send If-Match (unbound clients, `registry:write`)."""
    changed = await evaluations.update_evaluation(
        services,
        caller=caller,
        evaluation_id=evaluation_id,
        expected_version=parse_if_match(if_match),
        changes=body,
    )
    return versioned_response(changed, version=changed.version)


@router.post(
    "/v1/satisfaction-surveys",
    status_code=201,
    response_model=SurveyRead,
    responses=problems(CREATE),
    operation_id="create_satisfaction_survey",
    summary="Record a satisfaction survey",
)
async def create_satisfaction_survey(
    body: SurveyCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Record a satisfaction survey of a station's residents, as counts per grade (R17;
    unbound clients, `registry:write`)."""
    result = await evaluations.record_survey(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "/v1/satisfaction-surveys",
    response_model=SurveyPage,
    responses=problems(READ),
    operation_id="list_satisfaction_surveys",
    summary="List satisfaction surveys",
)
async def list_satisfaction_surveys(
    caller: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    station_id: uuid.UUID | None = None,
    district_code: DistrictCodeQuery = None,
    period_from: From = None,
    period_to: To = None,
) -> Response:
    """List satisfaction surveys whose period meets `from`–`to`; a station sees its own
    (scope `registry:read`)."""
    where = _filter(station_id, district_code, period_from, period_to)
    result = await evaluations.list_surveys(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(SurveyPage, result, where)


@router.get(
    "/v1/satisfaction-surveys/{survey_id}",
    response_model=SurveyRead,
    responses=problems(READ_ONE),
    operation_id="get_satisfaction_survey",
    summary="Get a satisfaction survey",
)
async def get_satisfaction_survey(
    survey_id: uuid.UUID, caller: ReadCaller, services: ServicesDep
) -> Response:
    """Get one satisfaction survey (scope `registry:read`)."""
    return json_response(await evaluations.get_survey(services, caller=caller, survey_id=survey_id))
