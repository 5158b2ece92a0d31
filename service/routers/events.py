"""/v1/events (the change feed), /v1/event-types (its catalogue) and /v1/webhook-subscriptions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from service.domain.access import Caller, Scope
from service.domain.events import CATALOGUE
from service.domain.webhooks import SubscriptionStatus
from service.http.event_schemas import SCHEMA_BASE
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
    ActionKeyDep,
    ApiRoute,
    IdempotencyKeyHeader,
    ServicesDep,
    SettingsDep,
    idempotency_key,
)
from service.http.security import require
from service.schemas.events import (
    DeliveryPage,
    EventPage,
    EventTypeList,
    EventTypeRead,
    SubscriptionCreate,
    SubscriptionPage,
    SubscriptionRead,
    SubscriptionWithSecret,
)
from service.settings import Settings
from service.usecases import events
from service.usecases.common import Services
from service.usecases.idempotency import IdempotencyKey

router = APIRouter(tags=["events"], route_class=ApiRoute)


EventsCaller = Annotated[Caller, Depends(require(Scope.EVENTS_READ))]
WebhooksCaller = Annotated[Caller, Depends(require(Scope.WEBHOOKS_MANAGE))]


@router.get(
    "/v1/events",
    response_model=EventPage,
    responses=problems((*READ, 422)),
    operation_id="list_events",
    summary="Read the change feed",
)
async def list_events(
    caller: EventsCaller,
    services: ServicesDep,
    after: Annotated[
        str | None,
        Query(
            max_length=40,
            description="Continue after this cursor (an event's `cursor`, or `next_cursor`);"
            " omitted: from the first event.",
        ),
    ] = None,
    type: Annotated[
        list[str] | None,
        Query(max_length=50, description="Only these event types (repeat the parameter)."),
    ] = None,
    station_id: uuid.UUID | None = None,
    division_code: DistrictCodeQuery = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Events per page (max 500).")] = 100,
) -> Response:
    """Events oldest first, as far as every earlier one is committed: resume from the last
    cursor you processed. A client sees its binding's events (scope `events:read`)."""
    items, next_cursor = await events.read_feed(
        services,
        caller=caller,
        after=after,
        types=tuple(sorted(set(type or []))),
        station_id=station_id,
        division_code=division_code,
        limit=limit,
    )
    return json_response(EventPage(items=items, next_cursor=next_cursor))


@router.get(
    "/v1/event-types",
    response_model=EventTypeList,
    responses=problems(READ),
    operation_id="list_event_types",
    summary="List the event catalogue",
)
async def list_event_types(_: EventsCaller) -> Response:
    """Every event type, with its JSON Schema (scope `events:read`)."""
    items = [
        EventTypeRead(
            name=kind.name,
            subject=kind.subject,
            description=kind.description,
            schema_url=f"{SCHEMA_BASE}{kind.name}.json",
        )
        for kind in CATALOGUE
    ]
    return json_response(EventTypeList(items=items))


@router.post(
    "/v1/webhook-subscriptions",
    status_code=201,
    response_model=SubscriptionWithSecret,
    responses=problems(CREATE),
    operation_id="create_webhook_subscription",
    summary="Subscribe a webhook receiver",
)
async def create_webhook_subscription(
    body: SubscriptionCreate,
    request: Request,
    caller: WebhooksCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Subscribe an https receiver to events from now on; the answer holds the signing secret,
    shown this once (scope `webhooks:manage`)."""
    result = await events.create_subscription(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "/v1/webhook-subscriptions",
    response_model=SubscriptionPage,
    responses=problems(READ),
    operation_id="list_webhook_subscriptions",
    summary="List webhook subscriptions",
)
async def list_webhook_subscriptions(
    caller: WebhooksCaller, services: ServicesDep, page: PageParamsDep
) -> Response:
    """The subscriptions of the caller's binding (scope `webhooks:manage`)."""
    result = await events.list_subscriptions(
        services, caller=caller, after=decode_page_token(page.token, None), limit=page.size
    )
    return page_response(SubscriptionPage, result, None)


@router.get(
    "/v1/webhook-subscriptions/{subscription_id}",
    response_model=SubscriptionRead,
    responses=problems(READ_ONE),
    operation_id="get_webhook_subscription",
    summary="Get a webhook subscription",
)
async def get_webhook_subscription(
    subscription_id: uuid.UUID, caller: WebhooksCaller, services: ServicesDep
) -> Response:
    """One subscription of the caller's binding (scope `webhooks:manage`)."""
    found = await events.get_subscription(services, caller=caller, subscription_id=subscription_id)
    return json_response(found)


async def _set_status(
    services: Services,
    settings: Settings,
    caller: Caller,
    subscription_id: uuid.UUID,
    status: SubscriptionStatus,
    key: IdempotencyKey | None,
) -> Response:
    result = await events.set_status(
        services,
        caller=caller,
        subscription_id=subscription_id,
        status=status,
        key=key,
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


ACTION = problems((*CREATE, 404))


@router.post(
    "/v1/webhook-subscriptions/{subscription_id}/pause",
    response_model=SubscriptionRead,
    responses=ACTION,
    operation_id="pause_webhook_subscription",
    summary="Pause a webhook subscription",
)
async def pause_webhook_subscription(
    subscription_id: uuid.UUID,
    caller: WebhooksCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: ActionKeyDep,
) -> Response:
    """Hold deliveries (events keep queueing) until resumed (scope `webhooks:manage`)."""
    return await _set_status(
        services, settings, caller, subscription_id, SubscriptionStatus.PAUSED, key
    )


@router.post(
    "/v1/webhook-subscriptions/{subscription_id}/resume",
    response_model=SubscriptionRead,
    responses=ACTION,
    operation_id="resume_webhook_subscription",
    summary="Resume a webhook subscription",
)
async def resume_webhook_subscription(
    subscription_id: uuid.UUID,
    caller: WebhooksCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: ActionKeyDep,
) -> Response:
    """Send again: a paused subscription, or a disabled one (scope `webhooks:manage`)."""
    return await _set_status(
        services, settings, caller, subscription_id, SubscriptionStatus.ACTIVE, key
    )


@router.post(
    "/v1/webhook-subscriptions/{subscription_id}/rotate-secret",
    response_model=SubscriptionWithSecret,
    responses=ACTION,
    operation_id="rotate_webhook_secret",
    summary="Rotate a webhook signing secret",
)
async def rotate_webhook_secret(
    subscription_id: uuid.UUID,
    caller: WebhooksCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: ActionKeyDep,
) -> Response:
    """A new secret, shown this once; deliveries carry signatures with the old one too for the
    grace period (scope `webhooks:manage`)."""
    result = await events.rotate_secret(
        services,
        caller=caller,
        subscription_id=subscription_id,
        key=key,
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.delete(
    "/v1/webhook-subscriptions/{subscription_id}",
    status_code=204,
    response_class=Response,
    responses=problems(READ_ONE),
    operation_id="delete_webhook_subscription",
    summary="Delete a webhook subscription",
)
async def delete_webhook_subscription(
    subscription_id: uuid.UUID, caller: WebhooksCaller, services: ServicesDep
) -> Response:
    """Stop for good and forget its deliveries (scope `webhooks:manage`)."""
    await events.delete_subscription(services, caller=caller, subscription_id=subscription_id)
    return Response(status_code=204)


@router.get(
    "/v1/webhook-subscriptions/{subscription_id}/deliveries",
    response_model=DeliveryPage,
    responses=problems(READ_ONE),
    operation_id="list_webhook_deliveries",
    summary="List a subscription's deliveries",
)
async def list_webhook_deliveries(
    subscription_id: uuid.UUID, caller: WebhooksCaller, services: ServicesDep, page: PageParamsDep
) -> Response:
    """Deliveries newest first: status, attempts, the last answer (scope `webhooks:manage`)."""
    result = await events.list_deliveries(
        services,
        caller=caller,
        subscription_id=subscription_id,
        before=decode_page_token(page.token, None),
        limit=page.size,
    )
    return page_response(DeliveryPage, result, None)
