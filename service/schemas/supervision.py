"""Bodies of /v1/supervision-sessions (R10) and /v1/training-records (R11)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from service.domain.partners import distinct
from service.domain.supervision import (
    SessionStatus,
    SupervisionForm,
    SupervisorType,
    TrainingKind,
    TrainingProviderType,
    TrainingStatus,
)
from service.schemas.common import PERSON_NAME_DESCRIPTION, SINGLE_LINE, Input, Output, Page
from service.schemas.encoding import View
from service.schemas.linkages import LinkageDate
from service.schemas.stations import absent

# Several lines of text: tabs and line breaks, no other control character, something visible.
MULTI_LINE = (
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
)

Topic = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=SINGLE_LINE)]
Topics = Annotated[
    list[Topic],
    Field(min_length=1, max_length=20, examples=[["个案评估", "服务记录规范"]]),
    AfterValidator(distinct),
]
Attendees = Annotated[
    list[uuid.UUID],
    Field(
        min_length=1,
        max_length=200,
        description="The social workers supervised (registered ids); once each.",
    ),
    AfterValidator(lambda ids: list(dict.fromkeys(ids))),
]
Summary = Annotated[
    str,
    StringConstraints(min_length=1, max_length=4000, pattern=MULTI_LINE),
    Field(description="What was discussed and agreed; never a resident's name or ID."),
]
CorrectionNote = Annotated[
    str,
    StringConstraints(min_length=2, max_length=500, pattern=SINGLE_LINE),
    Field(description="Why the record is corrected; kept with the new version."),
]
DurationMinutes = Annotated[int, Field(ge=1, le=1440, description="Minutes, 1–1440.")]
CourseTitle = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=SINGLE_LINE),
    Field(examples=["社会工作者继续教育：个案管理实务"]),
]
TrainingHours = Annotated[
    float,
    Field(gt=0, le=1000, allow_inf_nan=False, description="Hours completed (up to 1000)."),
]
CompletionCertificate = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z][0-9A-Za-z/-]*$"),
    Field(description="Number of the certificate of completion.", examples=["JX-2026-0173"]),
]


class SupervisorRef(Input):
    """Who supervised: a social worker with a supervisor level, or an agency or university the
    station has an active `supervision` linkage with on the day."""

    type: SupervisorType
    id: uuid.UUID


class SupervisorRead(Output):
    """Who supervised, with their name as the caller may see it."""

    type: SupervisorType
    id: uuid.UUID
    name: str | None = Field(
        description="An organisation's or university's name; a social worker's is personal data: "
        + PERSON_NAME_DESCRIPTION
    )


class SupervisionSessionCreate(Input):
    """A supervision session held at a station (R10: recorded and archived)."""

    station_id: uuid.UUID
    supervisor: SupervisorRef
    held_on: LinkageDate = Field(description="The day it was held, not in the future.")
    duration_minutes: DurationMinutes
    form: SupervisionForm
    topics: Topics
    attendees: Attendees
    summary: Summary


class SupervisionSessionCorrection(Input):
    """A correction: a new version of the session, the old one kept readable. Send the fields
    that change and why; `status: withdrawn` marks a session recorded in error (it stays in the
    archive and no longer counts for R10)."""

    correction_note: CorrectionNote
    supervisor: SupervisorRef = absent()
    held_on: LinkageDate = absent()
    duration_minutes: DurationMinutes = absent()
    form: SupervisionForm = absent()
    topics: Topics = absent()
    attendees: Attendees = absent()
    summary: Summary = absent()
    status: SessionStatus = absent()


class _SessionFields(Output):
    station_id: uuid.UUID
    supervisor: SupervisorRead
    linkage_id: uuid.UUID | None = Field(
        description="The supervision linkage an agency or university supervised under."
    )
    held_on: date
    duration_minutes: int
    form: SupervisionForm
    topics: list[str]
    attendees: list[uuid.UUID]
    summary: str
    status: SessionStatus
    correction_note: str | None = Field(description="Why this version corrected the previous.")
    recorded_by_client_id: uuid.UUID
    version: int


class SupervisionSessionRead(_SessionFields):
    """A supervision session as it stands (its latest version)."""

    id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class SupervisionSessionVersionRead(_SessionFields):
    """One archived version of a session, exactly as it was recorded."""

    session_id: uuid.UUID
    recorded_at: datetime


class SupervisionSessionPage(Page[SupervisionSessionRead]):
    """A page of supervision sessions by the day they were held."""


class SupervisionSessionVersionPage(Page[SupervisionSessionVersionRead]):
    """A page of a session's versions, oldest first."""


def session_view(
    row: Mapping[str, Any], *, supervisor_name: str | None
) -> View[SupervisionSessionRead]:
    """A stored session with its supervisor's name as the caller may see it."""
    return View(SupervisionSessionRead, _session_values(row, supervisor_name))


def version_view(
    row: Mapping[str, Any], *, supervisor_name: str | None
) -> View[SupervisionSessionVersionRead]:
    """A stored version of a session."""
    return View(SupervisionSessionVersionRead, _session_values(row, supervisor_name))


def _session_values(row: Mapping[str, Any], supervisor_name: str | None) -> dict[str, Any]:
    values = dict(row)
    values["supervisor"] = {
        "type": values.pop("supervisor_type"),
        "id": values.pop("supervisor_id"),
        "name": supervisor_name,
    }
    return values


class TrainingProviderRef(Input):
    """The organisation or university that gave the training."""

    type: TrainingProviderType
    id: uuid.UUID


class TrainingAttendee(Input):
    """One social worker who completed the course."""

    social_worker_id: uuid.UUID
    certificate_number: CompletionCertificate | None = None


class TrainingCourseCreate(Input):
    """A course and the social workers who completed it: one training record each (R11).
    A station posts a course's attendees at once; all are recorded or none."""

    kind: TrainingKind
    provider: TrainingProviderRef | None = Field(
        default=None, description="Null: the station's or the bureau's own training."
    )
    course_title: CourseTitle
    completed_on: LinkageDate = Field(description="The day it was completed, not in the future.")
    hours: TrainingHours
    attendees: list[TrainingAttendee] = Field(min_length=1, max_length=500)


class TrainingRecordUpdate(Input):
    """A correction of one record; `status: voided` takes a record made in error out of R11
    (it stays readable). `null` clears the provider or the certificate number."""

    kind: TrainingKind = absent()
    provider: TrainingProviderRef | None = None
    course_title: CourseTitle = absent()
    completed_on: LinkageDate = absent()
    hours: TrainingHours = absent()
    certificate_number: CompletionCertificate | None = None
    status: TrainingStatus = absent()


class TrainingProviderRead(Output):
    """Who gave the training."""

    type: TrainingProviderType
    id: uuid.UUID


class TrainingRecordRead(Output):
    """A social worker's completed training (R11)."""

    id: uuid.UUID
    social_worker_id: uuid.UUID
    kind: TrainingKind
    provider: TrainingProviderRead | None
    course_title: str
    completed_on: date
    hours: float
    certificate_number: str | None
    batch_id: uuid.UUID = Field(description="The course posting the record came with.")
    status: TrainingStatus
    recorded_by_client_id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime


class TrainingRecordPage(Page[TrainingRecordRead]):
    """A page of training records by completion day."""


class TrainingBatch(Output):
    """The records a course posting made, in the order its attendees were given."""

    batch_id: uuid.UUID
    items: list[TrainingRecordRead]


def training_view(row: Mapping[str, Any]) -> View[TrainingRecordRead]:
    """A stored training record as the API shows it."""
    values = dict(row)
    provider_type, provider_id = values.pop("provider_type"), values.pop("provider_id")
    values["provider"] = (
        None if provider_type is None else {"type": provider_type, "id": provider_id}
    )
    return View(TrainingRecordRead, values)


def training_read(row: Mapping[str, Any]) -> TrainingRecordRead:
    """A stored training record as its validated response model."""
    return training_view(row).validated()
