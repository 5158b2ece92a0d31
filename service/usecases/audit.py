"""The audit trail of personal-data disclosures (PIPL): written with every disclosure."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.repositories import audit
from service.db.tables import AuditEventRecord
from service.domain.access import Caller
from service.domain.audit import CONTACT_READ, ID_NUMBER_SEARCH, AuditFilter
from service.usecases.common import KeysetPage, Services


def _event(
    services: Services,
    caller: Caller,
    *,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID | None,
    fields: Sequence[str],
    purpose: str,
    request_id: str,
) -> AuditEventRecord:
    return AuditEventRecord(
        occurred_at=services.clock(),
        client_id=caller.client_id,
        client_name=caller.name,
        client_station_id=caller.station_id,
        client_organisation_id=caller.organisation_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        fields=list(fields),
        purpose=purpose,
        request_id=request_id,
    )


def record_disclosure(
    session: AsyncSession,
    services: Services,
    *,
    caller: Caller,
    subject_type: str,
    subject_id: uuid.UUID,
    fields: Sequence[str],
    purpose: str,
    request_id: str,
) -> None:
    """Stage the audit event of a disclosure in the unit of work that makes it.

    The caller commits before it answers: no audit event, no personal data.
    """
    audit.append(
        session,
        _event(
            services,
            caller,
            action=CONTACT_READ,
            subject_type=subject_type,
            subject_id=subject_id,
            fields=fields,
            purpose=purpose,
            request_id=request_id,
        ),
    )


def record_search(
    session: AsyncSession,
    services: Services,
    *,
    caller: Caller,
    subject_type: str,
    subject_id: uuid.UUID | None,
    purpose: str,
    request_id: str,
) -> None:
    """Stage the audit event of a search by ID number: whose record it matched (None: nobody),
    whether or not the caller was shown it."""
    audit.append(
        session,
        _event(
            services,
            caller,
            action=ID_NUMBER_SEARCH,
            subject_type=subject_type,
            subject_id=subject_id,
            fields=["id_number"],
            purpose=purpose,
            request_id=request_id,
        ),
    )


async def list_audit_events(
    services: Services, *, caller: Caller, where: AuditFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of audit events, newest first, as the values AuditEventRead shows; a bound auditor
    sees its binding's share."""
    where = dataclasses.replace(
        where, visible_to_station=caller.station_id, visible_to_organisation=caller.organisation_id
    )
    before_id = int(after) if after is not None and after.isdigit() else None
    async with services.database.read() as reader:
        rows = await audit.newest_first(
            reader, where, before_id=before_id, limit=limit + 1, now=services.clock()
        )
    return KeysetPage.of(
        [dict(row) for row in rows],
        limit=limit,
        key=lambda event: str(event["id"]),
    )
