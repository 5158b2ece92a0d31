"""The audit trail: append and read, never change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row
from service.db.repositories.disclosure import PERSON_TABLES, readable_persons
from service.db.repositories.keyset import paged
from service.db.tables import AuditEventRecord, table
from service.domain.access import PersonKind
from service.domain.audit import AuditFilter

audit_event = table(AuditEventRecord)


def append(session: AsyncSession, event: AuditEventRecord) -> None:
    """Stage an event; it commits with the unit of work that disclosed the data."""
    session.add(event)


def _within_binding(where: AuditFilter, now: datetime) -> ColumnElement[bool] | None:
    """A bound auditor's share of the trail: its own clients' events, and events about the
    persons its binding may read."""
    station, organisation = where.visible_to_station, where.visible_to_organisation
    if station is None and organisation is None:
        return None
    events = audit_event.c
    own = (
        events.client_station_id == station
        if station is not None
        else events.client_organisation_id == organisation
    )
    about_its_persons = [
        and_(
            events.subject_type == kind.value,
            events.subject_id.in_(
                select(PERSON_TABLES[kind].c.id).where(
                    readable_persons(
                        kind, station_id=station, organisation_id=organisation, now=now
                    )
                )
            ),
        )
        for kind in PersonKind.natural()
    ]
    return or_(own, *about_its_persons)


async def newest_first(
    reader: Reader, where: AuditFilter, *, before_id: int | None, limit: int, now: datetime
) -> list[Row]:
    """Events newest first, older than `before_id` when paging on."""
    query = select(audit_event).order_by(audit_event.c.id.desc()).limit(limit)
    within = _within_binding(where, now)
    if within is not None:
        query = query.where(within)
    if where.client_id is not None:
        query = query.where(audit_event.c.client_id == where.client_id)
    if where.subject_type is not None:
        query = query.where(audit_event.c.subject_type == where.subject_type)
    if where.subject_id is not None:
        query = query.where(audit_event.c.subject_id == where.subject_id)
    if where.action is not None:
        query = query.where(audit_event.c.action == where.action)
    if where.since is not None:
        query = query.where(audit_event.c.occurred_at >= where.since)
    if where.until is not None:
        query = query.where(audit_event.c.occurred_at < where.until)
    if before_id is not None:
        query = query.where(audit_event.c.id < before_id)
    return await reader.fetch_all(paged(query, audit_event.c.occurred_at, audit_event.c.id))
