"""Bodies of /v1/evaluations and /v1/satisfaction-surveys (R17)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from service.domain.evaluations import (
    EvaluationDimension,
    EvaluationOutcome,
    SatisfactionGrade,
    SurveyMethod,
    satisfaction_rate,
)
from service.schemas.common import SINGLE_LINE, Input, Output, Page
from service.schemas.encoding import View
from service.schemas.linkages import LinkageDate
from service.schemas.stations import absent
from service.schemas.supervision import MULTI_LINE

Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Evaluator = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=SINGLE_LINE),
    Field(
        description="The evaluating body (the bureau, or the agency it commissioned); an"
        " institution, never a person.",
        examples=["杭州市民政局"],
    ),
]
Note = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=MULTI_LINE)]


class SatisfactionCounts(Input):
    """Residents' answers, counted per grade (no resident is named)."""

    very_satisfied: Count
    satisfied: Count
    neutral: Count
    dissatisfied: Count
    very_dissatisfied: Count


class SatisfactionRead(Output):
    """Residents' answers per grade, their number and the share satisfied."""

    very_satisfied: int
    satisfied: int
    neutral: int
    dissatisfied: int
    very_dissatisfied: int
    respondents: int
    satisfaction_rate: float | None = Field(
        description="(very satisfied + satisfied) ÷ respondents; null when nobody answered."
    )


Scores = Annotated[
    dict[EvaluationDimension, Score],
    Field(min_length=1, description="Score (0–100) per dimension evaluated."),
]


class EvaluationCreate(Input):
    """The bureau's evaluation of a station over a period (R17)."""

    station_id: uuid.UUID
    period_from: LinkageDate
    period_to: LinkageDate
    evaluator: Evaluator
    scores: Scores
    satisfaction: SatisfactionCounts | None = None
    outcome: EvaluationOutcome
    note: Note | None = None


class EvaluationUpdate(Input):
    """A partial update; the station and the period stay. `null` clears satisfaction or note."""

    evaluator: Evaluator = absent()
    scores: Scores = absent()
    satisfaction: SatisfactionCounts | None = None
    outcome: EvaluationOutcome = absent()
    note: Note | None = None


class EvaluationRead(Output):
    """An evaluation of a station (R17)."""

    id: uuid.UUID
    station_id: uuid.UUID
    period_from: date
    period_to: date
    evaluator: str
    scores: dict[EvaluationDimension, float]
    overall_score: float = Field(description="The mean of the dimensions scored.")
    satisfaction: SatisfactionRead | None
    outcome: EvaluationOutcome
    note: str | None
    recorded_by_client_id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime


class EvaluationPage(Page[EvaluationRead]):
    """A page of evaluations by period."""


class SurveyCreate(SatisfactionCounts):
    """A satisfaction survey of a station's residents, posted as counts per grade."""

    station_id: uuid.UUID
    period_from: LinkageDate
    period_to: LinkageDate
    method: SurveyMethod
    note: Note | None = None


class SurveyRead(Output):
    """A satisfaction survey (R17)."""

    id: uuid.UUID
    station_id: uuid.UUID
    period_from: date
    period_to: date
    method: SurveyMethod
    satisfaction: SatisfactionRead
    note: str | None
    recorded_by_client_id: uuid.UUID
    created_at: datetime


class SurveyPage(Page[SurveyRead]):
    """A page of satisfaction surveys by period."""


GRADE_COLUMNS = tuple(grade.value for grade in SatisfactionGrade)


def satisfaction_values(values: Mapping[str, Any]) -> dict[str, Any] | None:
    """The counts a row holds per grade, with their total and rate, as the values
    SatisfactionRead shows (None: no counts)."""
    if values.get(SatisfactionGrade.VERY_SATISFIED.value) is None:
        return None
    counts = {grade: int(values[grade.value]) for grade in SatisfactionGrade}
    return {
        **{grade.value: count for grade, count in counts.items()},
        "respondents": sum(counts.values()),
        "satisfaction_rate": satisfaction_rate(counts),
    }


def satisfaction_of(values: Mapping[str, Any]) -> SatisfactionRead | None:
    """The counts a row holds per grade, with their total and rate (None: no counts)."""
    shown = satisfaction_values(values)
    return None if shown is None else SatisfactionRead.model_validate(shown)


def evaluation_read(row: Mapping[str, Any]) -> EvaluationRead:
    """A stored evaluation as the API shows it."""
    values = {k: v for k, v in row.items() if k not in GRADE_COLUMNS}
    return EvaluationRead.model_validate(values | {"satisfaction": satisfaction_of(row)})


def survey_view(row: Mapping[str, Any]) -> View[SurveyRead]:
    """A stored survey as the API shows it."""
    values = {k: v for k, v in row.items() if k not in GRADE_COLUMNS}
    return View(SurveyRead, values | {"satisfaction": satisfaction_values(row)})


def survey_read(row: Mapping[str, Any]) -> SurveyRead:
    """A stored survey as its validated response model."""
    return survey_view(row).validated()
