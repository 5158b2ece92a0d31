"""The audit trail: append and read, never change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row
from service.db.tables import AuditEventRecord, table
from service.domain.audit import AuditFilter

audit_event = table(AuditEventRecord)


def append(session: AsyncSession, event: AuditEventRecord) -> None:
    """Stage an event; it commits with the unit of work that disclosed the data."""
    session.add(event)


async def newest_first(
    reader: Reader, where: AuditFilter, *, before_id: int | None, limit: int
) -> list[Row]:
    """Events newest first, older than `before_id` when paging on."""
    query = select(audit_event).order_by(audit_event.c.id.desc()).limit(limit)
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
    return await reader.fetch_all(query)
