"""The audit trail of personal data: disclosures and searches, and how to ask for them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

CONTACT_READ = "contact.read"  # unmasked name, phone and ID number read
ID_NUMBER_SEARCH = "id_number.search"  # a lookup by ID number, hit or miss


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """The filters of GET /v1/audit-events; `visible_to_*` narrow the trail to a bound
    auditor's binding: what its own clients did, and what was done to the persons it keeps."""

    client_id: uuid.UUID | None = None
    subject_type: str | None = None
    subject_id: uuid.UUID | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    visible_to_station: uuid.UUID | None = None
    visible_to_organisation: uuid.UUID | None = None
