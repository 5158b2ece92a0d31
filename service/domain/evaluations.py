"""R17: the bureau evaluates stations, counts residents' satisfaction, and selects demonstration
stations from the best (工作成效好、居民满意度高 … 市民政局将适时组织评估，推出一批示范站点).

An evaluation scores a station per dimension over a period, may carry the satisfaction survey
it relied on (counts per grade), and ends in an outcome. Satisfaction surveys may also be posted
on their own, as aggregates: no resident is named anywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from service.domain.compliance import RUNNING
from service.domain.errors import FieldProblem
from service.domain.vocabulary import Labelled, StationStatus


class EvaluationDimension(Labelled):
    """What an evaluation scores (0–100 each)."""

    FACILITIES = "facilities", "阵地建设"
    STAFFING = "staffing", "队伍建设"
    MANAGEMENT = "management", "制度管理"
    SUPERVISION_AND_TRAINING = "supervision_and_training", "督导培训"
    SERVICES = "services", "服务成效"
    LINKAGE = "linkage", "五社联动"
    BRAND = "brand", "特色品牌"


class SatisfactionGrade(Labelled):
    """A resident's answer to a satisfaction survey."""

    VERY_SATISFIED = "very_satisfied", "非常满意"
    SATISFIED = "satisfied", "满意"
    NEUTRAL = "neutral", "一般"
    DISSATISFIED = "dissatisfied", "不满意"
    VERY_DISSATISFIED = "very_dissatisfied", "非常不满意"


SATISFIED_GRADES = (SatisfactionGrade.VERY_SATISFIED, SatisfactionGrade.SATISFIED)


class EvaluationOutcome(Labelled):
    """What the bureau concluded."""

    RECOMMENDED_DEMONSTRATION = "recommended_demonstration", "推荐为示范站"
    EXCELLENT = "excellent", "优秀"
    PASSED = "passed", "合格"
    NEEDS_IMPROVEMENT = "needs_improvement", "限期整改"
    FAILED = "failed", "不合格"


class SurveyMethod(Labelled):
    """How a satisfaction survey was taken."""

    QUESTIONNAIRE = "questionnaire", "问卷调查"
    TELEPHONE = "telephone", "电话回访"
    ONLINE = "online", "网络调查"
    HOME_VISIT = "home_visit", "入户走访"


def satisfaction_rate(counts: Mapping[SatisfactionGrade, int]) -> float | None:
    """Share of respondents satisfied or very satisfied (None: nobody answered)."""
    total = sum(counts.values())
    if total == 0:
        return None
    return round(sum(counts.get(grade, 0) for grade in SATISFIED_GRADES) / total, 4)


def overall_score(scores: Mapping[EvaluationDimension, float]) -> float:
    """The mean of the dimensions scored, to one decimal."""
    return round(sum(scores.values()) / len(scores), 1)


def period_problems(first: date, last: date, *, today: date) -> list[FieldProblem]:
    """A period ends on or after it starts, and has begun by today."""
    problems = []
    if last < first:
        problems.append(
            FieldProblem(
                "period.to",
                f"{last.isoformat()} is before period.from {first.isoformat()}",
                code="window_ends_before_start",
            )
        )
    if first > today:
        problems.append(
            FieldProblem(
                "period.from",
                f"{first.isoformat()} is in the future: only a period that has begun is judged",
                code="date_in_future",
            )
        )
    return problems


def outcome_problems(
    outcome: EvaluationOutcome, station_status: StationStatus
) -> list[FieldProblem]:
    """R17: demonstration stations are chosen from stations that run."""
    if outcome is EvaluationOutcome.RECOMMENDED_DEMONSTRATION and station_status not in RUNNING:
        return [
            FieldProblem(
                "outcome",
                f"a {station_status.value} station cannot be recommended as a demonstration"
                " station; it must run",
                code="demonstration_needs_operation",
                rule="R17",
            )
        ]
    return []


@dataclass(frozen=True, slots=True)
class EvaluationFilter:
    """The filters of GET /v1/evaluations and GET /v1/satisfaction-surveys."""

    station_id: uuid.UUID | None = None
    district_code: str | None = None
    outcome: EvaluationOutcome | None = None
    period_from: date | None = None  # periods ending on or after
    period_to: date | None = None  # periods starting on or before
    visible_to_station: uuid.UUID | None = None
