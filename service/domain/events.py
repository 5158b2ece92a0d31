"""Integration events: what changed, told thinly to other systems (the change feed and webhooks).

An event names its subject (type, id, new `version`), the station and district it belongs to and,
where one is involved, the organisation; for a status change, the new status. Never personal
data: a receiver reads the details through the API, with its own scopes and binding.

The catalogue below is the contract: `linkage event-schemas` writes one JSON Schema per type to
openapi/events/ (a test keeps them current).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from service.domain.access import BindingKind, Caller


@dataclass(frozen=True, slots=True)
class EventType:
    """One kind of event: its name (`subject.verb`), the subject's type and what it means."""

    name: str
    subject: str
    description: str
    status: bool = False  # carries the subject's new `status` in `data`


def _kinds(subject: str, label: str, *verbs: tuple[str, str, bool]) -> list[EventType]:
    return [
        EventType(f"{subject}.{verb}", subject, text.format(label), status)
        for verb, text, status in verbs
    ]


CREATED = ("created", "A {} was registered.", False)
UPDATED = ("updated", "A {} changed (its new version is in `subject.version`).", True)
DELETED = ("deleted", "A {} was deleted (a tombstone: read it no more).", False)
STATUS_CHANGED = ("status_changed", "A {}'s status changed (the new one is in `data`).", True)

CATALOGUE: tuple[EventType, ...] = (
    *_kinds("station", "station", CREATED, UPDATED),
    *_kinds("office", "community office", CREATED, UPDATED),
    *_kinds("organisation", "social organisation", CREATED, UPDATED),
    *_kinds("university", "university", CREATED, UPDATED),
    *_kinds("social_worker", "social worker", CREATED, UPDATED),
    *_kinds("volunteer", "volunteer", CREATED, UPDATED, DELETED),
    *_kinds("volunteer_team", "volunteer team", CREATED, UPDATED),
    *_kinds("charity_resource", "charity resource", CREATED, UPDATED),
    *_kinds(
        "linkage",
        "linkage",
        CREATED,
        UPDATED,
        ("ended", "A linkage ended (its status is now `ended`).", True),
    ),
    *_kinds("resource_request", "resource request", CREATED, STATUS_CHANGED, UPDATED),
    *_kinds(
        "offer",
        "offer",
        CREATED,
        ("accepted", "The provider accepted an offer.", True),
        ("completed", "An offer's service was completed.", True),
        STATUS_CHANGED,
        UPDATED,
    ),
    *_kinds("service_record", "service record", CREATED),
    *_kinds(
        "allocation_run",
        "allocation run",
        CREATED,
        ("succeeded", "An allocation run finished its plan.", True),
        STATUS_CHANGED,
    ),
    *_kinds("supervision_session", "supervision session", CREATED, UPDATED),
    *_kinds("training_record", "training record", CREATED, UPDATED),
    *_kinds("evaluation", "evaluation", CREATED, UPDATED),
    *_kinds("satisfaction_survey", "satisfaction survey", CREATED),
    *_kinds(
        "webhook_subscription",
        "webhook subscription",
        (
            "disabled",
            "A webhook subscription was disabled: its endpoint answered 410 Gone, or failed"
            " for longer than the retry window (the reason is in `data`).",
            True,
        ),
    ),
)
EVENT_TYPES: dict[str, EventType] = {kind.name: kind for kind in CATALOGUE}


def known(name: str) -> bool:
    """Whether an event type of this name exists."""
    return name in EVENT_TYPES


def verb_for_status(subject: str, status: str) -> str:
    """The event a status change of this subject raises: a named one, else `status_changed`
    (or `updated` for subjects without one)."""
    specific = f"{subject}.{status}"
    if specific in EVENT_TYPES:
        return specific
    if f"{subject}.status_changed" in EVENT_TYPES:
        return f"{subject}.status_changed"
    return f"{subject}.updated"


@dataclass(frozen=True, slots=True)
class Event:
    """One event, thin: ids, type, time, version and where it belongs; never personal data."""

    id: uuid.UUID
    type: str
    occurred_at: datetime
    subject_type: str
    subject_id: uuid.UUID
    version: int | None = None
    station_id: uuid.UUID | None = None
    division_code: str | None = None
    organisation_id: uuid.UUID | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The event as JSON (the feed's item and a webhook's `data`)."""
        return {
            "id": str(self.id),
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat().replace("+00:00", "Z"),
            "subject": {
                "type": self.subject_type,
                "id": str(self.subject_id),
                "version": self.version,
            },
            "station_id": str(self.station_id) if self.station_id else None,
            "division_code": self.division_code,
            "organisation_id": str(self.organisation_id) if self.organisation_id else None,
            "data": self.data,
        }


@dataclass(frozen=True, slots=True)
class Audience:
    """Whose events one may see: everything (the bureau), one station's, or one organisation's."""

    station_id: uuid.UUID | None = None
    organisation_id: uuid.UUID | None = None

    @classmethod
    def of(cls, caller: Caller) -> Audience:
        """A client sees the events of its binding: a station's, an organisation's, or all."""
        match caller.binding:
            case BindingKind.STATION:
                return cls(station_id=caller.station_id)
            case BindingKind.ORGANISATION:
                return cls(organisation_id=caller.organisation_id)
            case BindingKind.NONE:
                return cls()

    def sees(self, event: Event) -> bool:
        """Whether this audience may see the event."""
        if self.station_id is not None:
            return event.station_id == self.station_id
        if self.organisation_id is not None:
            return event.organisation_id == self.organisation_id
        return True


# --- The JSON Schemas of the catalogue ----------------------------------------------------------

_UUID = {"type": "string", "format": "uuid"}
_NULLABLE_UUID = {"type": ["string", "null"], "format": "uuid"}


def event_schema(kind: EventType, *, base_uri: str) -> dict[str, Any]:
    """The JSON Schema (2020-12) of one event type, as the feed and webhooks carry it."""
    data: dict[str, Any] = {"type": "object"}
    if kind.status:
        data |= {
            "properties": {"status": {"type": "string", "description": "The new status."}},
            "additionalProperties": True,
        }
    if kind.subject == "webhook_subscription":
        data["properties"] = data.get("properties", {}) | {
            "reason": {"type": "string", "enum": ["gone", "failing"]}
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base_uri}{kind.name}.json",
        "title": kind.name,
        "description": kind.description,
        "type": "object",
        "required": [
            "id",
            "type",
            "occurred_at",
            "subject",
            "station_id",
            "division_code",
            "organisation_id",
            "data",
        ],
        "additionalProperties": False,
        "properties": {
            "id": _UUID | {"description": "The event's id (unique; a receiver's dedup key)."},
            "type": {"const": kind.name},
            "occurred_at": {"type": "string", "format": "date-time"},
            "subject": {
                "type": "object",
                "required": ["type", "id", "version"],
                "additionalProperties": False,
                "properties": {
                    "type": {"const": kind.subject},
                    "id": _UUID,
                    "version": {
                        "type": ["integer", "null"],
                        "description": "The subject's version after the change; GET it with"
                        " If-None-Match to skip what you have.",
                    },
                },
            },
            "station_id": _NULLABLE_UUID | {"description": "The station it belongs to."},
            "division_code": {
                "type": ["string", "null"],
                "pattern": "^[0-9]{6,12}$",
                "description": "The district it belongs to.",
            },
            "organisation_id": _NULLABLE_UUID
            | {"description": "The organisation involved, if any."},
            "data": data,
        },
    }
