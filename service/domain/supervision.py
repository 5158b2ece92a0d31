"""Supervision sessions (R10) and training records (R11): what a record must say to count.

R10 asks every station for a supervision team, bought in or through government–university
cooperation, and for its supervision to be recorded and archived (应对督导活动做好记录、存档):
a session is never deleted, and a correction is a new version that keeps the old one readable.
R11 asks that every worker receives enough training each year, of five kinds: pre-job,
supervision, continuing education, practice and policy training (岗前、督导、继续教育、实务及
政策法规培训). Every kind counts towards a worker's hours.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from service.domain.errors import FieldProblem
from service.domain.hangzhou_time import local_date
from service.domain.linkages import (
    SUPERVISION_MIN_YEARS,
    anniversary,
    day_after,
    supervision_term_is_short,
)
from service.domain.partners import CertificateLevel
from service.domain.vocabulary import Labelled

QUARTER_MONTHS = 3  # R10: a session recorded in the three months before the date judged
TRAINING_YEAR_MONTHS = 12  # R11: "each year", counted as the twelve months before the date
DEFAULT_TRAINING_HOURS = 72.0  # national rule for certified workers: 72 hours a year
# R10: "建议督导服务期可设为3-5年" – a suggested term, so a term outside it is advice, never a fail.
SUPERVISION_MAX_YEARS = 5


class SupervisionForm(Labelled):
    """How a supervision session was held."""

    INDIVIDUAL = "individual", "个别督导"
    GROUP = "group", "团体督导"
    ON_SITE = "on_site", "现场督导"
    REMOTE = "remote", "远程督导"


class SupervisorType(Labelled):
    """Who supervised: a recognised supervisor, or an agency or university under contract."""

    SOCIAL_WORKER = "social_worker", "督导人才"
    ORGANISATION = "organisation", "社会工作服务机构"
    UNIVERSITY = "university", "高校"


class SessionStatus(Labelled):
    """A session as archived: `withdrawn` was recorded in error; it stays readable, never counts."""

    RECORDED = "recorded", "已记录"
    WITHDRAWN = "withdrawn", "已撤销"


class TrainingKind(Labelled):
    """R11: the five kinds of training a station gives its workers."""

    PRE_JOB = "pre_job", "岗前培训"
    SUPERVISION = "supervision", "督导培训"
    CONTINUING_EDUCATION = "continuing_education", "继续教育培训"
    PRACTICE = "practice", "实务培训"
    POLICY = "policy", "政策法规培训"


class TrainingProviderType(Labelled):
    """Who gave a training: an organisation or a university (none: the station or the bureau)."""

    ORGANISATION = "organisation", "社会组织"
    UNIVERSITY = "university", "高校"


class TrainingStatus(Labelled):
    """A training record: `voided` was recorded in error; it stays readable, never counts."""

    RECORDED = "recorded", "已记录"
    VOIDED = "voided", "已作废"


def hangzhou_today(now: datetime) -> date:
    """The date it is in Hangzhou at this instant."""
    return local_date(now)


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier; the 31st falls on the month's last day."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class Window:
    """A span of days, both ends included."""

    first: date
    last: date

    def holds(self, day: date) -> bool:
        """Whether the day falls in the window."""
        return self.first <= day <= self.last


def window_before(as_of: date, months: int) -> Window:
    """The `months` months that end on `as_of`: from the day after the same day `months` earlier."""
    return Window(months_before(as_of, months) + timedelta(days=1), as_of)


def quarter_before(as_of: date) -> Window:
    """R10: the quarter a recorded session must fall in."""
    return window_before(as_of, QUARTER_MONTHS)


def training_year_before(as_of: date) -> Window:
    """R11: the year whose training hours count."""
    return window_before(as_of, TRAINING_YEAR_MONTHS)


def training_threshold(
    level: CertificateLevel, thresholds: Mapping[CertificateLevel, float]
) -> float | None:
    """The hours a year a worker of this level needs (None: the level is not assessed)."""
    return thresholds.get(level)


def short_of_training(
    hours: float, level: CertificateLevel, thresholds: Mapping[CertificateLevel, float]
) -> bool:
    """R11: an assessed worker who completed fewer hours in the year than their level needs."""
    threshold = training_threshold(level, thresholds)
    return threshold is not None and hours < threshold


DEFAULT_THRESHOLDS: dict[CertificateLevel, float] = {
    CertificateLevel.ASSISTANT: DEFAULT_TRAINING_HOURS,
    CertificateLevel.INTERMEDIATE: DEFAULT_TRAINING_HOURS,
    CertificateLevel.SENIOR: DEFAULT_TRAINING_HOURS,
}


@dataclass(frozen=True, slots=True)
class SupervisionTerm:
    """An active supervision linkage: who supervises the station, from when, until when."""

    linkage_id: uuid.UUID
    partner_type: str
    partner_id: uuid.UUID
    starts_on: date
    ends_on: date | None

    def as_evidence(self) -> dict[str, str | None]:
        """The term as a verdict's evidence shows it."""
        return {
            "linkage_id": str(self.linkage_id),
            "partner_type": self.partner_type,
            "partner_id": str(self.partner_id),
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
        }


def term_advice(term: SupervisionTerm, as_of: date) -> list[dict[str, str]]:
    """R10's advice on a supervisor's term: the policy suggests 3–5 years (建议 … 3-5年).

    A term set shorter than three years or longer than five is advised against; an open term
    is advised against once five years have passed without a renewal (a new agreement is a new
    linkage, whose term starts again).
    """
    linkage = str(term.linkage_id)
    if term.ends_on is not None:
        if supervision_term_is_short(term.starts_on, term.ends_on):
            return [_advice(linkage, "supervision_term_short", "shorter than 3 years")]
        if day_after(term.ends_on) > anniversary(term.starts_on, SUPERVISION_MAX_YEARS):
            return [_advice(linkage, "supervision_term_long", "longer than 5 years")]
        return []
    if (as_of.year, as_of.month, as_of.day) >= anniversary(term.starts_on, SUPERVISION_MAX_YEARS):
        return [
            _advice(
                linkage,
                "supervision_term_past",
                f"running since {term.starts_on.isoformat()}, past 5 years without renewal",
            )
        ]
    return []


def _advice(linkage: str, code: str, what: str) -> dict[str, str]:
    """One piece of R10 tenure advice about a linkage."""
    return {
        "linkage_id": linkage,
        "code": code,
        "message": f"supervision term {what}; the policy suggests"
        f" {SUPERVISION_MIN_YEARS}–{SUPERVISION_MAX_YEARS} years",
    }


@dataclass(frozen=True, slots=True)
class SupervisorFacts:
    """What the rules need to know about the supervisor named on a session."""

    supervisor_type: SupervisorType
    exists: bool
    is_recognised_supervisor: bool = False  # a social worker with a supervisor level
    is_withdrawn: bool = False
    has_supervision_linkage: bool = False  # active with the station on the session's day


def supervisor_problems(facts: SupervisorFacts, *, held_on: date) -> list[FieldProblem]:
    """R10: a session's supervisor is a recognised supervisor, or an agency or university the
    station has an active supervision linkage with on the day."""
    field = "supervisor.id"
    if not facts.exists:
        return [
            FieldProblem(
                field, f"no {facts.supervisor_type.value} with this id", code="unknown_supervisor"
            )
        ]
    if facts.is_withdrawn:
        return [
            FieldProblem(
                field, "the supervisor has withdrawn from the network", code="partner_withdrawn"
            )
        ]
    if facts.supervisor_type is SupervisorType.SOCIAL_WORKER:
        if facts.is_recognised_supervisor:
            return []
        return [
            FieldProblem(
                field,
                "a social worker supervises only with a recognised supervisor level",
                code="not_a_supervisor",
                rule="R10",
            )
        ]
    if facts.has_supervision_linkage:
        return []
    return [
        FieldProblem(
            field,
            f"the station has no active supervision linkage with this {facts.supervisor_type.value}"
            f" on {held_on.isoformat()}",
            code="no_supervision_linkage",
            rule="R10",
        )
    ]


def session_problems(
    *,
    form: SupervisionForm,
    held_on: date,
    attendees: Sequence[uuid.UUID],
    unknown_attendees: Sequence[uuid.UUID],
    supervisor_id: uuid.UUID,
    today: date,
) -> list[FieldProblem]:
    """A session happened (not in the future), its attendees are registered social workers
    other than the supervisor, and individual supervision has exactly one attendee."""
    problems: list[FieldProblem] = []
    if held_on > today:
        problems.append(
            FieldProblem(
                "held_on",
                f"{held_on.isoformat()} is in the future: a session is recorded once held",
                code="date_in_future",
            )
        )
    if form is SupervisionForm.INDIVIDUAL and len(attendees) != 1:
        problems.append(
            FieldProblem(
                "attendees",
                f"individual supervision has one attendee, not {len(attendees)}",
                code="individual_needs_one_attendee",
            )
        )
    for index, attendee in enumerate(attendees):
        if attendee in unknown_attendees:
            problems.append(
                FieldProblem(
                    f"attendees[{index}]",
                    f"no social worker with id {attendee}",
                    code="unknown_social_worker",
                )
            )
        elif attendee == supervisor_id:
            problems.append(
                FieldProblem(
                    f"attendees[{index}]",
                    "the supervisor does not attend their own session",
                    code="supervisor_attends",
                )
            )
    return problems


def completion_problems(completed_on: date, *, today: date) -> list[FieldProblem]:
    """A training is recorded once completed, not before."""
    if completed_on > today:
        return [
            FieldProblem(
                "completed_on",
                f"{completed_on.isoformat()} is in the future: training is recorded once completed",
                code="date_in_future",
            )
        ]
    return []


@dataclass(frozen=True, slots=True)
class SessionFilter:
    """The filters of GET /v1/supervision-sessions; dates are inclusive."""

    station_id: uuid.UUID | None = None
    supervisor_type: SupervisorType | None = None
    supervisor_id: uuid.UUID | None = None
    status: SessionStatus | None = None
    held_from: date | None = None
    held_to: date | None = None
    visible_to_station: uuid.UUID | None = None
    visible_to_organisation: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class TrainingFilter:
    """The filters of GET /v1/training-records; dates are inclusive."""

    social_worker_id: uuid.UUID | None = None
    station_id: uuid.UUID | None = None
    kind: TrainingKind | None = None
    provider_id: uuid.UUID | None = None
    batch_id: uuid.UUID | None = None
    status: TrainingStatus | None = None
    completed_from: date | None = None
    completed_to: date | None = None
    visible_to_station: uuid.UUID | None = None
    visible_to_organisation: uuid.UUID | None = None
