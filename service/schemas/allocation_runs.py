"""Bodies of /v1/allocation-runs: start a run, read it with its assignments, apply it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from service.domain.allocation import RunStatus, Skipped
from service.schemas.common import DISTRICT_CODE, Input, Output, Page
from service.schemas.encoding import View


class AllocationRunCreate(Input):
    """What to allocate: the open requests of one district, or of the whole city."""

    district_code: str | None = Field(
        default=None,
        pattern=DISTRICT_CODE,
        description="County-level code (e.g. `330106`); leave out for the whole city.",
        examples=["330106"],
    )


class AllocationRunRead(Output):
    """A batch allocation run: where it stands and what it found."""

    id: uuid.UUID
    district_code: str | None = Field(description="The district allocated; null: the city.")
    status: RunStatus = Field(
        description="`queued` → `running` → `succeeded` or `failed`; a succeeded run becomes"
        " `applied` once its assignments are turned into offers."
    )
    requested_by_client_id: uuid.UUID
    request_count: int = Field(description="Open requests with quantity left, in scope.")
    candidate_count: int = Field(description="(request, provider) candidate pairs considered.")
    assignment_count: int
    total_score: float = Field(description="Σ score × quantity over the assignments.")
    solver_seconds: float | None = Field(description="Time to build and solve the flow model.")
    total_seconds: float | None = Field(description="Time from start to finish of the run.")
    error: str | None = Field(description="Why a failed run failed.")
    attempts: int = Field(
        description="How many times a process has taken the run on: more than 1 when the"
        " replica running it stopped and another took it over (3 at most, then it fails)."
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    applied_at: datetime | None


class ScorePartRead(Output):
    """One factor of an assignment's score: its value, weight and contribution."""

    component: str
    value: float
    weight: float
    contribution: float


class AllocationAssignmentRead(Output):
    """Part of a request proposed to one provider, with the score that earned it and why."""

    request_id: uuid.UUID
    provider_type: str
    provider_id: uuid.UUID
    quantity: int = Field(description="In the request's unit.")
    score: float
    explanation: list[ScorePartRead]


class AllocationRunDetail(AllocationRunRead):
    """A run with its proposed assignments (by request, then provider)."""

    assignments: list[AllocationAssignmentRead]


class AllocationRunPage(Page[AllocationRunRead]):
    """A page of allocation runs, newest first."""


class SkippedAssignment(Output):
    """An assignment that no longer fits when the run was applied, and why."""

    request_id: uuid.UUID
    provider_type: str
    provider_id: uuid.UUID
    quantity: int
    code: str = Field(description="Stable code of why it was skipped.")
    reason: str


class AllocationApplyResult(Output):
    """What applying a run did: the offers it made and the assignments it skipped."""

    run: AllocationRunRead
    offer_ids: list[uuid.UUID]
    offers_created: int
    skipped: list[SkippedAssignment]
    skipped_count: int


def run_read(row: dict[str, Any]) -> AllocationRunRead:
    """A run's stored row as its representation."""
    return AllocationRunRead.model_validate(row)


def run_view(row: dict[str, Any]) -> View[AllocationRunRead]:
    """A run's stored row as its representation, unvalidated."""
    return View(AllocationRunRead, dict(row))


def run_detail_view(
    row: dict[str, Any], assignments: list[dict[str, Any]]
) -> View[AllocationRunDetail]:
    """A run's stored row and its assignment rows as one representation."""
    return View(AllocationRunDetail, {**row, "assignments": [dict(a) for a in assignments]})


def skipped_read(item: Skipped) -> SkippedAssignment:
    """An assignment left out when applying, as the API shows it."""
    return SkippedAssignment(
        request_id=item.assignment.request_id,
        provider_type=item.assignment.provider[0],
        provider_id=item.assignment.provider[1],
        quantity=item.assignment.quantity,
        code=item.code,
        reason=item.reason,
    )
