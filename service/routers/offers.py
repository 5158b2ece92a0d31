"""Offers (/v1/resource-requests/{id}/offers, /v1/offers/{id}/…) and the volunteer-hour ledger."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from service.domain.access import Caller, Scope
from service.domain.errors import FieldProblem
from service.domain.fulfilment import OfferFilter
from service.domain.requests import OfferStatus, ProviderType
from service.domain.service_records import ServiceRecordFilter
from service.http.pagination import (
    PageParamsDep,
    decode_page_token,
    page_response,
)
from service.http.params import CalendarDate
from service.http.preconditions import IfNoneMatch
from service.http.problems import ProblemError
from service.http.responses import (
    CREATE,
    NOT_MODIFIED,
    READ,
    READ_ONE,
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
from service.http.security import require
from service.schemas.common import NoBody
from service.schemas.offers import (
    CSV_MEDIA_TYPE,
    OfferBatch,
    OfferBatchCreate,
    OfferCompletion,
    OfferPage,
    OfferRating,
    OfferRead,
    ServiceRecordPage,
)
from service.usecases import fulfilment, offers, service_records

router = APIRouter(prefix="/v1", tags=["offers"], route_class=ApiRoute)


OfferReader = Annotated[Caller, Depends(require(Scope.REQUESTS_READ, Scope.OFFERS_RESPOND))]
Responder = Annotated[Caller, Depends(require(Scope.OFFERS_RESPOND, Scope.REQUESTS_WRITE))]
StationWriter = Annotated[Caller, Depends(require(Scope.REQUESTS_WRITE))]
LedgerReader = Annotated[Caller, Depends(require(Scope.REQUESTS_READ))]

ACTION = problems((*CREATE, 404))
DateFrom = Annotated[
    CalendarDate | None,
    Query(alias="from", description="Service dates from this day (inclusive), `YYYY-MM-DD`."),
]
DateTo = Annotated[
    CalendarDate | None,
    Query(alias="to", description="Service dates up to this day (inclusive), `YYYY-MM-DD`."),
]


def _date_range(where: ServiceRecordFilter) -> ServiceRecordFilter:
    if where.date_from and where.date_to and where.date_from > where.date_to:
        raise ProblemError(
            400,
            "invalid_parameter",
            "query.to: the range ends before it begins",
            errors=[FieldProblem("query.to", "on or after `from`", code="range_reversed")],
        )
    return where


@router.post(
    "/resource-requests/{request_id}/offers",
    status_code=201,
    response_model=OfferBatch,
    responses=ACTION,
    operation_id="create_offers",
    summary="Offer a request to providers",
)
async def create_offers(
    request_id: uuid.UUID,
    body: OfferBatchCreate,
    request: Request,
    caller: StationWriter,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Offer a request to named providers or the top N candidates (scope `requests:write`)."""
    result = await offers.create_offers(
        services,
        caller=caller,
        request_id=request_id,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "/offers",
    response_model=OfferPage,
    responses=problems(READ),
    operation_id="list_offers",
    summary="List offers",
)
async def list_offers(
    caller: OfferReader,
    services: ServicesDep,
    page: PageParamsDep,
    request_id: uuid.UUID | None = None,
    station_id: uuid.UUID | None = None,
    provider_type: ProviderType | None = None,
    provider_id: uuid.UUID | None = None,
    status: OfferStatus | None = None,
) -> Response:
    """List offers in the order made (`requests:read`, or `offers:respond` for a provider's)."""
    where = OfferFilter(
        request_id=request_id,
        station_id=station_id,
        provider_type=provider_type,
        provider_id=provider_id,
        status=status,
    )
    result = await offers.list_offers(
        services,
        caller=caller,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(OfferPage, result, where)


@router.get(
    "/offers/{offer_id}",
    response_model=OfferRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_offer",
    summary="Get an offer",
)
async def get_offer(
    offer_id: uuid.UUID,
    caller: OfferReader,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one offer, with its ETag (`requests:read`, or `offers:respond` for a provider's)."""
    offer = await offers.get_offer(services, caller=caller, offer_id=offer_id)
    return versioned_response(offer, version=offer["version"], if_none_match=if_none_match)


@router.post(
    "/offers/{offer_id}/accept",
    response_model=OfferRead,
    responses=ACTION,
    operation_id="accept_offer",
    summary="Accept an offer",
)
async def accept_offer(
    offer_id: uuid.UUID,
    request: Request,
    caller: Responder,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Accept a proposal: the provider's organisation (`offers:respond`) or the station on its
    behalf (`requests:write`)."""
    result = await fulfilment.accept_offer(
        services,
        caller=caller,
        offer_id=offer_id,
        key=idempotency_key(key, request=request, body=NoBody()),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.post(
    "/offers/{offer_id}/decline",
    response_model=OfferRead,
    responses=ACTION,
    operation_id="decline_offer",
    summary="Decline an offer",
)
async def decline_offer(
    offer_id: uuid.UUID,
    request: Request,
    caller: Responder,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Decline a proposal: the provider's organisation (`offers:respond`) or the station on its
    behalf (`requests:write`)."""
    result = await fulfilment.decline_offer(
        services,
        caller=caller,
        offer_id=offer_id,
        key=idempotency_key(key, request=request, body=NoBody()),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.post(
    "/offers/{offer_id}/withdraw",
    response_model=OfferRead,
    responses=ACTION,
    operation_id="withdraw_offer",
    summary="Withdraw an offer",
)
async def withdraw_offer(
    offer_id: uuid.UUID,
    request: Request,
    caller: StationWriter,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Withdraw a proposal or an acceptance, releasing what it held (scope `requests:write`)."""
    result = await fulfilment.withdraw_offer(
        services,
        caller=caller,
        offer_id=offer_id,
        key=idempotency_key(key, request=request, body=NoBody()),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.post(
    "/offers/{offer_id}/complete",
    response_model=OfferRead,
    responses=ACTION,
    operation_id="complete_offer",
    summary="Record what an offer delivered",
)
async def complete_offer(
    offer_id: uuid.UUID,
    body: OfferCompletion,
    request: Request,
    caller: StationWriter,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Record what an accepted offer delivered; volunteers' hours go to the ledger (scope
    `requests:write`)."""
    result = await fulfilment.complete_offer(
        services,
        caller=caller,
        offer_id=offer_id,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.post(
    "/offers/{offer_id}/rate",
    response_model=OfferRead,
    responses=ACTION,
    operation_id="rate_offer",
    summary="Rate a completed offer",
)
async def rate_offer(
    offer_id: uuid.UUID,
    body: OfferRating,
    request: Request,
    caller: StationWriter,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Rate a completed offer once, 1–5 with a note (scope `requests:write`)."""
    result = await fulfilment.rate_offer(
        services,
        caller=caller,
        offer_id=offer_id,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "/volunteers/{volunteer_id}/service-records",
    response_model=ServiceRecordPage,
    responses=problems(READ_ONE),
    operation_id="list_service_records",
    summary="List a volunteer's service records",
)
async def list_service_records(
    volunteer_id: uuid.UUID,
    caller: LedgerReader,
    services: ServicesDep,
    page: PageParamsDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Response:
    """List a volunteer's service records (志愿服务记录) in date order (scope `requests:read`)."""
    where = _date_range(ServiceRecordFilter(date_from=date_from, date_to=date_to))
    result = await service_records.list_service_records(
        services,
        caller=caller,
        volunteer_id=volunteer_id,
        where=where,
        after=decode_page_token(page.token, where),
        limit=page.size,
    )
    return page_response(ServiceRecordPage, result, where)


_CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The ledger as CSV: UTF-8 with a BOM (Excel reads the Chinese), a header"
        " row of the MCA field names (民政部令第67号): 志愿者姓名, 志愿服务组织, 志愿服务项目,"
        " 服务日期, 服务时长(小时), 服务内容, 记录人.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/service-records.csv",
    response_class=Response,
    responses={**_CSV, **problems((*READ, 422))},
    operation_id="export_service_records",
    summary="Export the volunteer-hour ledger (CSV)",
)
async def export_service_records(
    caller: LedgerReader,
    services: ServicesDep,
    volunteer_id: uuid.UUID | None = None,
    station_id: uuid.UUID | None = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Response:
    """Export the volunteer-hour ledger as CSV for Excel (scope `requests:read`)."""
    where = _date_range(
        ServiceRecordFilter(
            volunteer_id=volunteer_id, station_id=station_id, date_from=date_from, date_to=date_to
        )
    )
    body = await service_records.export_service_records(services, caller=caller, where=where)
    return Response(
        body,
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="service-records.csv"'},
    )
