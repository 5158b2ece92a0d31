"""The audit trail of personal-data disclosures: what counts as one, and how to ask for them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

CONTACT_READ = "contact.read"


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """The filters of GET /v1/audit-events."""

    client_id: uuid.UUID | None = None
    subject_type: str | None = None
    subject_id: uuid.UUID | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
