"""Bulk upsert jobs and their per-line reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from service.schemas.common import Output


class BulkResource(StrEnum):
    """What a bulk upsert loads."""

    organisations = "organisations"
    stations = "stations"
    offices = "offices"


class LineOutcome(StrEnum):
    """What became of one line."""

    created = "created"
    updated = "updated"
    unchanged = "unchanged"
    rejected = "rejected"


class BulkProblem(Output):
    """One thing wrong with a line; `field` is the CSV column or JSON member, when known."""

    field: str | None = None
    code: str
    detail: str


class BulkLineReport(Output):
    """One line's outcome: the record it created or changed, or why it was rejected."""

    line: int = Field(description="The line in the file (1-based; a CSV header is line 1).")
    external_id: str | None = None
    outcome: LineOutcome
    id: uuid.UUID | None = None
    problems: list[BulkProblem] = Field(default_factory=list)


class BulkJobRead(Output):
    """A bulk upsert and its report, line by line."""

    id: uuid.UUID
    resource: BulkResource
    status: str = Field(description="`succeeded` once every line has an outcome.")
    lines: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    created_at: datetime
    report: list[BulkLineReport]
