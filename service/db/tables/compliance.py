"""Supervision sessions and their archived versions (R10), training records (R11), the bureau's
evaluations and satisfaction surveys (R17)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Float, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from service.db.tables.columns import json_list, one_of, timestamp
from service.db.types import JSONDocument
from service.domain.evaluations import EvaluationOutcome, SurveyMethod
from service.domain.supervision import (
    SessionStatus,
    SupervisionForm,
    SupervisorType,
    TrainingKind,
    TrainingProviderType,
    TrainingStatus,
)

SATISFACTION_COLUMNS = (
    "very_satisfied",
    "satisfied",
    "neutral",
    "dissatisfied",
    "very_dissatisfied",
)
_LIVE_TRAINING = f"status = '{TrainingStatus.RECORDED.value}'"


def _session_checks() -> tuple[CheckConstraint, ...]:
    return (
        CheckConstraint(one_of("supervisor_type", SupervisorType), name="supervisor_type"),
        CheckConstraint(one_of("form", SupervisionForm), name="form"),
        CheckConstraint(one_of("status", SessionStatus), name="status"),
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 1440", name="duration"),
        CheckConstraint("version >= 1", name="version_positive"),
    )


class SupervisionSessionRecord(SQLModel, table=True):
    """A supervision session as it stands now (its latest version); never deleted."""

    __tablename__ = "supervision_session"
    __table_args__ = (
        *_session_checks(),
        Index("ix_supervision_session_station_held_on", "station_id", "held_on"),
        Index("ix_supervision_session_supervisor", "supervisor_type", "supervisor_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    station_id: uuid.UUID = Field(foreign_key="station.id")
    supervisor_type: str = Field(max_length=16)
    supervisor_id: uuid.UUID
    linkage_id: uuid.UUID | None = Field(default=None, foreign_key="linkage.id", index=True)
    held_on: date
    duration_minutes: int
    form: str = Field(max_length=16)
    topics: list[str] = json_list()
    attendees: list[str] = json_list()
    summary: str = Field(sa_type=Text)
    status: str = Field(default=SessionStatus.RECORDED.value, max_length=16)
    correction_note: str | None = Field(default=None, max_length=500)
    recorded_by_client_id: uuid.UUID
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class SupervisionSessionVersionRecord(SQLModel, table=True):
    """Every version a session has had, as it was written: the archive R10 asks for."""

    __tablename__ = "supervision_session_version"
    __table_args__ = _session_checks()

    session_id: uuid.UUID = Field(foreign_key="supervision_session.id", primary_key=True)
    version: int = Field(primary_key=True)
    station_id: uuid.UUID = Field(foreign_key="station.id")
    supervisor_type: str = Field(max_length=16)
    supervisor_id: uuid.UUID
    linkage_id: uuid.UUID | None = Field(default=None, foreign_key="linkage.id")
    held_on: date
    duration_minutes: int
    form: str = Field(max_length=16)
    topics: list[str] = json_list()
    attendees: list[str] = json_list()
    summary: str = Field(sa_type=Text)
    status: str = Field(max_length=16)
    correction_note: str | None = Field(default=None, max_length=500)
    recorded_by_client_id: uuid.UUID
    recorded_at: datetime = timestamp()


class TrainingRecordRecord(SQLModel, table=True):
    """Hours of training a social worker completed (R11); voided rather than deleted."""

    __tablename__ = "training_record"
    __table_args__ = (
        CheckConstraint(one_of("kind", TrainingKind), name="kind"),
        CheckConstraint(one_of("status", TrainingStatus), name="status"),
        CheckConstraint(
            f"provider_type IS NULL OR {one_of('provider_type', TrainingProviderType)}",
            name="provider_type",
        ),
        CheckConstraint("(provider_type IS NULL) = (provider_id IS NULL)", name="provider"),
        CheckConstraint("hours > 0 AND hours <= 1000", name="hours"),
        CheckConstraint("version >= 1", name="version_positive"),
        # One completion of a course by one worker on one day: a posting sent twice would
        # count its hours twice towards R11.
        Index(
            "uq_training_record_once",
            "social_worker_id",
            "course_title",
            "completed_on",
            unique=True,
            postgresql_where=text(_LIVE_TRAINING),
            sqlite_where=text(_LIVE_TRAINING),
        ),
        # R11 sums a worker's hours over a year: the index holds everything the sum reads.
        Index(
            "ix_training_record_worker_completed_on",
            "social_worker_id",
            "completed_on",
            postgresql_include=["hours", "status"],
        ),
        Index("ix_training_record_provider", "provider_type", "provider_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    social_worker_id: uuid.UUID = Field(foreign_key="social_worker.id")
    kind: str = Field(max_length=32)
    provider_type: str | None = Field(default=None, max_length=16)
    provider_id: uuid.UUID | None = None
    course_title: str = Field(max_length=128)
    completed_on: date
    hours: float = Field(sa_type=Float)
    certificate_number: str | None = Field(default=None, max_length=64)
    batch_id: uuid.UUID = Field(index=True)
    status: str = Field(default=TrainingStatus.RECORDED.value, max_length=16)
    recorded_by_client_id: uuid.UUID
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


def _satisfaction_checks(*, optional: bool) -> tuple[CheckConstraint, ...]:
    """Counts per grade are never negative; an evaluation gives all five or none."""
    if not optional:
        return (
            CheckConstraint(" AND ".join(f"{c} >= 0" for c in SATISFACTION_COLUMNS), name="counts"),
        )
    return (
        CheckConstraint(
            " AND ".join(f"({c} IS NULL OR {c} >= 0)" for c in SATISFACTION_COLUMNS),
            name="counts",
        ),
        CheckConstraint(
            " AND ".join(
                f"(very_satisfied IS NULL) = ({c} IS NULL)" for c in SATISFACTION_COLUMNS[1:]
            ),
            name="satisfaction_complete",
        ),
    )


class EvaluationRecord(SQLModel, table=True):
    """The bureau's evaluation of a station over a period (R17)."""

    __tablename__ = "evaluation"
    __table_args__ = (
        UniqueConstraint("station_id", "period_from", "period_to"),
        CheckConstraint(one_of("outcome", EvaluationOutcome), name="outcome"),
        CheckConstraint("period_to >= period_from", name="period"),
        CheckConstraint("overall_score >= 0 AND overall_score <= 100", name="overall_score"),
        CheckConstraint("version >= 1", name="version_positive"),
        *_satisfaction_checks(optional=True),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    station_id: uuid.UUID = Field(foreign_key="station.id")
    period_from: date
    period_to: date
    evaluator: str = Field(max_length=128)
    scores: dict[str, float] = Field(
        default_factory=dict, sa_column=Column(JSONDocument, nullable=False)
    )
    overall_score: float = Field(sa_type=Float)
    very_satisfied: int | None = None
    satisfied: int | None = None
    neutral: int | None = None
    dissatisfied: int | None = None
    very_dissatisfied: int | None = None
    outcome: str = Field(max_length=32, index=True)
    note: str | None = Field(default=None, max_length=2000)
    recorded_by_client_id: uuid.UUID
    version: int = 1
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class SatisfactionSurveyRecord(SQLModel, table=True):
    """Residents' satisfaction with a station, as counts per grade (R17); no one is named."""

    __tablename__ = "satisfaction_survey"
    __table_args__ = (
        CheckConstraint(one_of("method", SurveyMethod), name="method"),
        CheckConstraint("period_to >= period_from", name="period"),
        *_satisfaction_checks(optional=False),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    station_id: uuid.UUID = Field(foreign_key="station.id", index=True)
    period_from: date
    period_to: date
    method: str = Field(max_length=16)
    very_satisfied: int
    satisfied: int
    neutral: int
    dissatisfied: int
    very_dissatisfied: int
    note: str | None = Field(default=None, max_length=2000)
    recorded_by_client_id: uuid.UUID
    created_at: datetime = timestamp()


class VolunteerHoursRecord(SQLModel, table=True):
    """The hours ledger summed per request and service day, kept by triggers on
    `service_record` (insert, update, delete) in the same transaction as the record: the
    volunteer-hours report reads these few rows instead of a million records."""

    __tablename__ = "volunteer_hours"
    __table_args__ = (Index("ix_volunteer_hours_service_date", "service_date", "station_id"),)

    request_id: uuid.UUID = Field(foreign_key="resource_request.id", primary_key=True)
    service_date: date = Field(primary_key=True)
    station_id: uuid.UUID = Field(foreign_key="station.id")
    hours: float = Field(default=0.0, sa_type=Float)
    records: int = 0
