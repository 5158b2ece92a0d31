"""Bodies of /v1/audit-events and of the personal-data contact endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from service.schemas.common import Output, Page


class AuditEventRead(Output):
    """One disclosure of, or search for, personal data: who, whose, which fields, why, when."""

    id: int
    occurred_at: datetime
    client_id: uuid.UUID
    client_name: str
    client_station_id: uuid.UUID | None = Field(
        description="The station the client was bound to when it acted, if any."
    )
    client_organisation_id: uuid.UUID | None = Field(
        description="The organisation the client was bound to when it acted, if any."
    )
    action: str = Field(
        description="`contact.read`: unmasked name, phone and ID number read;"
        " `id_number.search`: a lookup by ID number, hit or miss.",
        examples=["contact.read"],
    )
    subject_type: str = Field(examples=["social_worker"])
    subject_id: uuid.UUID | None = Field(
        description="Whose data; for a search, the person the number belongs to (null: nobody),"
        " whether or not the client was shown them."
    )
    fields: list[str]
    purpose: str
    request_id: str


class AuditEventPage(Page[AuditEventRead]):
    """A page of audit events, newest first."""
