"""Bodies of /v1/audit-events and of the personal-data contact endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from service.schemas.common import Output, Page


class AuditEventRead(Output):
    """One disclosure of personal data: who, whose, which fields, why, when."""

    id: int
    occurred_at: datetime
    client_id: uuid.UUID
    client_name: str
    action: str = Field(examples=["contact.read"])
    subject_type: str = Field(examples=["social_worker"])
    subject_id: uuid.UUID
    fields: list[str]
    purpose: str
    request_id: str


class AuditEventPage(Page[AuditEventRead]):
    """A page of audit events, newest first."""
