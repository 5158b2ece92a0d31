"""The change feed and webhook subscriptions as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AnyUrl, Field, StringConstraints, field_validator

from service.domain.events import EVENT_TYPES
from service.domain.webhooks import DeliveryStatus, SubscriptionStatus
from service.schemas.common import DISTRICT_CODE, SINGLE_LINE, Input, Output, Page

EventTypeName = Annotated[str, StringConstraints(min_length=3, max_length=64)]


class EventSubject(Output):
    """What changed: its type, id and version after the change."""

    type: str
    id: uuid.UUID
    version: int | None = Field(description="The subject's version after the change.")


class EventRead(Output):
    """One event: thin (ids, type, time, version, where it belongs); no personal data."""

    cursor: str = Field(description="Pass as `after` to continue after this event.")
    id: uuid.UUID = Field(description="The event's id: unique, a receiver's dedup key.")
    type: str = Field(description="One of the catalogue's types (openapi/events/).")
    occurred_at: datetime
    subject: EventSubject
    station_id: uuid.UUID | None
    division_code: str | None
    organisation_id: uuid.UUID | None
    data: dict[str, Any] = Field(description="The new `status` of a status change, if any.")


class EventPage(Output):
    """A page of the change feed, oldest first."""

    items: list[EventRead]
    next_cursor: str = Field(
        description="Pass as `after` for what follows (the same cursor when nothing did: poll"
        " again later)."
    )


def _known_types(values: list[str]) -> list[str]:
    unknown = sorted(set(values) - set(EVENT_TYPES))
    if unknown:
        raise ValueError(f"unknown event types: {', '.join(unknown)} (see GET /v1/event-types)")
    return sorted(set(values))


class SubscriptionCreate(Input):
    """A receiver for events: its URL (https), the types wanted and optional filters."""

    url: AnyUrl = Field(description="https://…; its host must resolve to public addresses.")
    event_types: list[EventTypeName] = Field(
        default_factory=list, max_length=100, description="Empty: every type."
    )
    station_id: uuid.UUID | None = Field(default=None, description="Only this station's events.")
    division_code: Annotated[str, StringConstraints(pattern=DISTRICT_CODE)] | None = Field(
        default=None, description="Only this district's events."
    )
    description: (
        Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=SINGLE_LINE)] | None
    ) = None

    @field_validator("event_types")
    @classmethod
    def _types_exist(cls, value: list[str]) -> list[str]:
        return _known_types(value)

    @field_validator("url")
    @classmethod
    def _not_too_long(cls, value: AnyUrl) -> AnyUrl:
        if len(str(value)) > 2048:
            raise ValueError("at most 2048 characters")
        return value


class SubscriptionRead(Output):
    """A webhook subscription (never its secret, which is shown only when made or rotated)."""

    id: uuid.UUID
    url: str
    event_types: list[str]
    station_id: uuid.UUID | None
    division_code: str | None
    description: str | None
    status: SubscriptionStatus
    disabled_reason: str | None = Field(description="`gone` (410) or `failing`, when disabled.")
    owner_station_id: uuid.UUID | None
    owner_organisation_id: uuid.UUID | None
    previous_secret_expires_at: datetime | None = Field(
        description="Until when the secret before the last rotation still signs deliveries."
    )
    version: int
    created_at: datetime
    updated_at: datetime


class SubscriptionWithSecret(SubscriptionRead):
    """A subscription as made or rotated: with its signing secret, shown this once."""

    secret: str = Field(description="`whsec_…`: verify `webhook-signature` with it.")


class SubscriptionPage(Page[SubscriptionRead]):
    """A page of webhook subscriptions."""


class DeliveryRead(Output):
    """One event's delivery to a subscription."""

    id: uuid.UUID = Field(description="Sent as `webhook-id` (the same on every attempt).")
    event_id: uuid.UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="When it is tried next, if pending.")
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class DeliveryPage(Page[DeliveryRead]):
    """A page of deliveries, newest first."""


class EventTypeRead(Output):
    """One type of the event catalogue."""

    name: str
    subject: str
    description: str
    schema_url: str = Field(description="Its JSON Schema (openapi/events/<name>.json).")


class EventTypeList(Output):
    """The event catalogue."""

    items: list[EventTypeRead]
