"""The transactional outbox: every flush of a registered table writes its events, in the same
transaction, without the use case asking.

`OutboxSession` is the session class every unit of work runs on (service/db/engine.py). After
each flush it looks at what was inserted, changed (a new `version`) or deleted among the tables
in `SOURCES`, and inserts one `outbox_event` row per change. Every table is either a source or
in `EXEMPT` with the reason (tests/db/test_outbox.py), so a table added later raises events by
default or says why not.

Changes made with Core statements (bulk `UPDATE … WHERE`) bypass the unit of work: their use
cases call `stage()` with the events themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, UOWTransaction

from service.db.tables import (
    AllocationRunRecord,
    CharityResourceRecord,
    EvaluationRecord,
    LinkageRecord,
    OfferRecord,
    OfficeRecord,
    OrganisationRecord,
    ResourceRequestRecord,
    SatisfactionSurveyRecord,
    ServiceRecordRecord,
    SocialWorkerRecord,
    StationRecord,
    SupervisionSessionRecord,
    TrainingRecordRecord,
    UniversityRecord,
    VolunteerRecord,
    VolunteerTeamRecord,
    table,
)
from service.db.tables.integration import OutboxEventRecord, WebhookSubscriptionRecord
from service.domain.events import Event, verb_for_status

outbox_event = table(OutboxEventRecord)
_STAGED = "linkage_outbox_staged"
_RELAY_WORK = "linkage_outbox_relay_work"
# Session info: what to call after a commit that may have given the webhook relay work (events
# written, a subscription added or its status changed); set by Database for its sessions.
ON_RELAY_WORK = "linkage_on_relay_work"


@dataclass(frozen=True, slots=True)
class Belonging:
    """Where a record belongs: its station, district and organisation (any may be unknown)."""

    station_id: uuid.UUID | None = None
    division_code: str | None = None
    organisation_id: uuid.UUID | None = None


def _steward(record: Any) -> Belonging:
    return Belonging(record.steward_station_id, None, record.steward_organisation_id)


def _organisation_partner(kind: str, partner: uuid.UUID) -> uuid.UUID | None:
    return partner if kind == "organisation" else None


@dataclass(frozen=True, slots=True)
class Source:
    """A table whose changes are events: the subject's name and where a record belongs."""

    subject: str
    belongs: Callable[[Any], Belonging]


SOURCES: dict[str, Source] = {
    "station": Source("station", lambda r: Belonging(r.id, r.district_code)),
    "office": Source("office", lambda r: Belonging(r.station_id, r.district_code)),
    "organisation": Source("organisation", lambda r: Belonging(r.steward_station_id, None, r.id)),
    "university": Source("university", _steward),
    "social_worker": Source(
        "social_worker",
        lambda r: Belonging(r.station_id or r.steward_station_id, None, r.employer_organisation_id),
    ),
    "volunteer": Source("volunteer", _steward),
    "volunteer_team": Source("volunteer_team", _steward),
    "charity_resource": Source(
        "charity_resource", lambda r: Belonging(r.steward_station_id, None, r.organisation_id)
    ),
    "linkage": Source(
        "linkage",
        lambda r: Belonging(
            r.station_id, None, _organisation_partner(r.partner_type, r.partner_id)
        ),
    ),
    "resource_request": Source(
        "resource_request", lambda r: Belonging(r.station_id, r.district_code)
    ),
    "offer": Source(
        "offer",
        lambda r: Belonging(
            r.station_id, None, _organisation_partner(r.provider_type, r.provider_id)
        ),
    ),
    "service_record": Source("service_record", lambda r: Belonging()),  # station: its offer's
    "allocation_run": Source("allocation_run", lambda r: Belonging(None, r.district_code)),
    "supervision_session": Source("supervision_session", lambda r: Belonging(r.station_id)),
    "training_record": Source(
        "training_record",
        lambda r: Belonging(None, None, _organisation_partner(r.provider_type, r.provider_id)),
    ),
    "evaluation": Source("evaluation", lambda r: Belonging(r.station_id)),
    "satisfaction_survey": Source("satisfaction_survey", lambda r: Belonging(r.station_id)),
}
# Checked against the declared classes, so that a renamed table cannot slip out silently.
_CLASSES = (
    StationRecord,
    OfficeRecord,
    OrganisationRecord,
    UniversityRecord,
    SocialWorkerRecord,
    VolunteerRecord,
    VolunteerTeamRecord,
    CharityResourceRecord,
    LinkageRecord,
    ResourceRequestRecord,
    OfferRecord,
    ServiceRecordRecord,
    AllocationRunRecord,
    SupervisionSessionRecord,
    TrainingRecordRecord,
    EvaluationRecord,
    SatisfactionSurveyRecord,
)
if {c.__tablename__ for c in _CLASSES} != set(SOURCES):
    raise RuntimeError("SOURCES names a table that is not declared")

EXEMPT: dict[str, str] = {
    "division": "reference data, loaded by migrations",
    "alembic_version": "the migrations' own bookkeeping",
    "api_client": "machine clients are the service's own administration, not the registry",
    "idempotency_record": "stored responses, replayed; the change they answer has its event",
    "audit_event": "the personal-data audit trail is read by auditors, never fed out",
    "volunteer_team_member": "membership is part of the team (volunteer_team.updated when the"
    " team's version moves)",
    "allocation_assignment": "part of its run (allocation_run.succeeded)",
    "supervision_session_version": "archived versions of a session (its own events tell them)",
    "volunteer_hours": "a summary kept by triggers from service_record",
    "outbox_event": "the outbox itself",
    "demo_record": "notes which records `linkage demo` loaded (the records raise their own events)",
    "lease": "which replica holds which background turn: the service's own coordination",
    "webhook_subscription": "a client's own subscriptions (disabling one raises"
    " webhook_subscription.disabled explicitly)",
    "webhook_delivery": "deliveries of events",
    "external_id": "other systems' ids of our records (the records raise their own events)",
    "bulk_job": "a client's own bulk upsert reports (the records loaded raise their own events)",
}


def _now() -> datetime:
    return datetime.now(UTC)


def _status_change(state: Any) -> str | None:
    """The new status when the flush changed it, else None."""
    if "status" not in state.attrs:
        return None
    history = state.attrs.status.history
    if history.added and history.deleted and history.added[0] != history.deleted[0]:
        return str(history.added[0])
    return None


def _version_moved(state: Any) -> bool:
    if "version" not in state.attrs:
        return True
    history = state.attrs.version.history
    return bool(history.added) and history.added != history.deleted


def events_of_flush(session: Session) -> list[Event]:
    """The events of what this flush writes: created, changed and deleted source records."""
    now = _now()
    found: list[Event] = []

    def add(record: Any, source: Source, verb: str, data: dict[str, Any] | None = None) -> None:
        where = source.belongs(record)
        found.append(
            Event(
                id=uuid.uuid4(),
                type=verb if "." in verb else f"{source.subject}.{verb}",
                occurred_at=now,
                subject_type=source.subject,
                subject_id=record.id,
                version=getattr(record, "version", None),
                station_id=where.station_id,
                division_code=where.division_code,
                organisation_id=where.organisation_id,
                data=data or {},
            )
        )

    for record in list(session.new):
        source = SOURCES.get(getattr(record, "__tablename__", ""))
        if source is not None:
            status = getattr(record, "status", None)
            data = {"status": str(status)} if status else None
            if source.subject == "service_record":
                data = {"offer_id": record.offer_id}  # replaced by the offer's station
            add(record, source, "created", data)
    for record in list(session.dirty):
        source = SOURCES.get(getattr(record, "__tablename__", ""))
        if source is None or not session.is_modified(record):
            continue
        state = inspect(record)
        status = _status_change(state)
        if status is not None:
            add(record, source, verb_for_status(source.subject, status), {"status": status})
        elif _version_moved(state):
            add(record, source, "updated")
    for record in list(session.deleted):
        source = SOURCES.get(getattr(record, "__tablename__", ""))
        if source is not None:
            add(record, source, "deleted")
    return found


def stage(session: Session | Any, *events: Event) -> None:
    """Add events a Core statement's change raises; written with the next flush's (or at
    commit). Takes the sync session or an AsyncSession."""
    sync = getattr(session, "sync_session", session)
    sync.info.setdefault(_STAGED, []).extend(events)


def _stations_of_offers(
    connection: Connection, offer_ids: set[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    if not offer_ids:
        return {}
    offer = table(OfferRecord)
    rows = connection.execute(
        select(offer.c.id, offer.c.station_id).where(offer.c.id.in_(offer_ids))
    )
    return {row[0]: row[1] for row in rows}


def _district_of(connection: Connection, station_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not station_ids:
        return {}
    station = table(StationRecord)
    rows = connection.execute(
        select(station.c.id, station.c.district_code).where(station.c.id.in_(station_ids))
    )
    return {row[0]: row[1] for row in rows}


def write(connection: Connection, events: list[Event]) -> None:
    """Insert events (a service record's station from its offer, and the district from the
    station, when unknown)."""
    if not events:
        return
    offers = _stations_of_offers(
        connection, {e.data["offer_id"] for e in events if "offer_id" in e.data}
    )
    events = [
        replace(e, station_id=offers.get(e.data["offer_id"]), data={})
        if "offer_id" in e.data
        else e
        for e in events
    ]
    districts = _district_of(
        connection, {e.station_id for e in events if e.station_id and not e.division_code}
    )
    rows = [
        {
            "id": e.id,
            "type": e.type,
            "occurred_at": e.occurred_at,
            "subject_type": e.subject_type,
            "subject_id": e.subject_id,
            "version": e.version,
            "station_id": e.station_id,
            "division_code": e.division_code
            or (districts.get(e.station_id) if e.station_id else None),
            "organisation_id": e.organisation_id,
            "data": e.data,
        }
        for e in events
    ]
    connection.execute(insert(outbox_event), rows)


class OutboxSession(Session):
    """A session that writes the outbox events of every flush in the flush's transaction."""


def _subscriptions_changed(session: Session) -> bool:
    """A subscription added, or one's status changed (resumed: its held deliveries are due);
    a cursor the relay moves is not news to the relay."""
    return any(isinstance(r, WebhookSubscriptionRecord) for r in session.new) or any(
        isinstance(r, WebhookSubscriptionRecord) and inspect(r).attrs.status.history.has_changes()
        for r in session.dirty
    )


@event.listens_for(OutboxSession, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    events = events_of_flush(session) + session.info.pop(_STAGED, [])
    write(session.connection(), events)
    if events or _subscriptions_changed(session):
        session.info[_RELAY_WORK] = True


@event.listens_for(OutboxSession, "before_commit")
def _before_commit(session: Session) -> None:
    """Events staged after the last flush (a Core change with nothing left to flush)."""
    staged = session.info.pop(_STAGED, [])
    if staged:
        write(session.connection(), staged)
        session.info[_RELAY_WORK] = True


@event.listens_for(OutboxSession, "after_commit")
def _after_commit(session: Session) -> None:
    """Tell this process's relay, once the work is visible, that it may have some."""
    if session.info.pop(_RELAY_WORK, False) and (notify := session.info.get(ON_RELAY_WORK)):
        notify()


@event.listens_for(OutboxSession, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_STAGED, None)
    session.info.pop(_RELAY_WORK, None)


def events_of_rows(subject: str, rows: Any, *, now: datetime | None = None) -> list[Event]:
    """The events of rows a Core UPDATE … RETURNING changed (every column returned): a status
    change when the row has a status, else an update."""
    source = SOURCES[subject]
    at = now or _now()
    found = []
    for row in rows:
        where = source.belongs(row)
        status = getattr(row, "status", None)
        found.append(
            Event(
                id=uuid.uuid4(),
                type=verb_for_status(subject, str(status)) if status else f"{subject}.updated",
                occurred_at=at,
                subject_type=subject,
                subject_id=row.id,
                version=getattr(row, "version", None),
                station_id=where.station_id,
                division_code=where.division_code,
                organisation_id=where.organisation_id,
                data={"status": str(status)} if status else {},
            )
        )
    return found


async def stage_returned(session: Any, subject: str, result: Any) -> int:
    """Stage the events of a Core UPDATE … RETURNING's rows; how many rows it changed."""
    rows = result.all()
    stage(session, *events_of_rows(subject, rows))
    return len(rows)
