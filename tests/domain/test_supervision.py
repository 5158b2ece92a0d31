"""Supervision sessions, training records and evaluations: the rules a record is held to."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from service.domain.evaluations import (
    EvaluationDimension,
    EvaluationOutcome,
    SatisfactionGrade,
    outcome_problems,
    overall_score,
    period_problems,
    satisfaction_rate,
)
from service.domain.supervision import (
    SupervisionForm,
    SupervisorFacts,
    SupervisorType,
    completion_problems,
    months_before,
    quarter_before,
    session_problems,
    supervisor_problems,
    training_year_before,
)
from service.domain.vocabulary import StationStatus

TODAY = date(2026, 6, 30)
ONE, TWO = uuid.UUID(int=1), uuid.UUID(int=2)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 6, 30), 3, date(2026, 3, 30)),
        (date(2026, 5, 31), 3, date(2026, 2, 28)),
        (date(2024, 5, 31), 3, date(2024, 2, 29)),
        (date(2026, 1, 15), 12, date(2025, 1, 15)),
        (date(2024, 2, 29), 12, date(2023, 2, 28)),
        (date(2026, 2, 10), 3, date(2025, 11, 10)),
    ],
)
def test_months_before_clamps_to_the_month(day, months, expected):
    assert months_before(day, months) == expected


def test_the_windows_end_on_the_day_judged():
    quarter = quarter_before(TODAY)
    assert (quarter.first, quarter.last) == (date(2026, 3, 31), TODAY)
    assert quarter.holds(date(2026, 3, 31)) and not quarter.holds(date(2026, 3, 30))
    year = training_year_before(TODAY)
    assert (year.first, year.last) == (date(2025, 7, 1), TODAY)


SUPERVISORS = [
    ("a recognised supervisor", SupervisorFacts(SupervisorType.SOCIAL_WORKER, True, True), None),
    (
        "a worker without a supervisor level",
        SupervisorFacts(SupervisorType.SOCIAL_WORKER, True, False),
        "not_a_supervisor",
    ),
    (
        "an agency under an active supervision linkage",
        SupervisorFacts(SupervisorType.ORGANISATION, True, has_supervision_linkage=True),
        None,
    ),
    (
        "a university without one",
        SupervisorFacts(SupervisorType.UNIVERSITY, True),
        "no_supervision_linkage",
    ),
    ("nobody", SupervisorFacts(SupervisorType.ORGANISATION, False), "unknown_supervisor"),
    (
        "a withdrawn supervisor",
        SupervisorFacts(SupervisorType.SOCIAL_WORKER, True, True, is_withdrawn=True),
        "partner_withdrawn",
    ),
]


@pytest.mark.parametrize(("case", "facts", "code"), SUPERVISORS, ids=[s[0] for s in SUPERVISORS])
def test_who_may_supervise(case, facts, code):
    problems = supervisor_problems(facts, held_on=TODAY)
    assert [p.code for p in problems] == ([] if code is None else [code])


SESSIONS = [
    ("a group session", SupervisionForm.GROUP, TODAY, [ONE, TWO], [], []),
    ("individual, one attendee", SupervisionForm.INDIVIDUAL, TODAY, [ONE], [], []),
    (
        "individual, two attendees",
        SupervisionForm.INDIVIDUAL,
        TODAY,
        [ONE, TWO],
        [],
        ["individual_needs_one_attendee"],
    ),
    ("held tomorrow", SupervisionForm.GROUP, date(2026, 7, 1), [ONE], [], ["date_in_future"]),
    (
        "an unknown attendee",
        SupervisionForm.GROUP,
        TODAY,
        [ONE, TWO],
        [TWO],
        ["unknown_social_worker"],
    ),
]


@pytest.mark.parametrize(
    ("case", "form", "held_on", "attendees", "unknown", "codes"),
    SESSIONS,
    ids=[s[0] for s in SESSIONS],
)
def test_what_a_session_must_say(case, form, held_on, attendees, unknown, codes):
    problems = session_problems(
        form=form,
        held_on=held_on,
        attendees=attendees,
        unknown_attendees=unknown,
        supervisor_id=uuid.UUID(int=99),
        today=TODAY,
    )
    assert [p.code for p in problems] == codes


def test_a_supervisor_does_not_attend_their_own_session():
    problems = session_problems(
        form=SupervisionForm.GROUP,
        held_on=TODAY,
        attendees=[ONE, TWO],
        unknown_attendees=[],
        supervisor_id=TWO,
        today=TODAY,
    )
    assert [(p.field, p.code) for p in problems] == [("attendees[1]", "supervisor_attends")]


def test_training_is_recorded_once_completed():
    assert completion_problems(TODAY, today=TODAY) == []
    assert [p.code for p in completion_problems(date(2026, 7, 1), today=TODAY)] == [
        "date_in_future"
    ]


def test_satisfaction_rate_counts_the_satisfied_and_very_satisfied():
    counts = {
        SatisfactionGrade.VERY_SATISFIED: 30,
        SatisfactionGrade.SATISFIED: 50,
        SatisfactionGrade.NEUTRAL: 15,
        SatisfactionGrade.DISSATISFIED: 4,
        SatisfactionGrade.VERY_DISSATISFIED: 1,
    }
    assert satisfaction_rate(counts) == 0.8
    assert satisfaction_rate(dict.fromkeys(SatisfactionGrade, 0)) is None


def test_overall_score_is_the_mean_of_the_dimensions_scored():
    scores = {EvaluationDimension.FACILITIES: 90, EvaluationDimension.SERVICES: 85.5}
    assert overall_score(scores) == 87.8


@pytest.mark.parametrize(
    ("first", "last", "codes"),
    [
        (date(2026, 1, 1), date(2026, 6, 30), []),
        (date(2026, 1, 1), date(2025, 12, 31), ["window_ends_before_start"]),
        (date(2026, 7, 1), date(2026, 12, 31), ["date_in_future"]),
    ],
)
def test_an_evaluation_period(first, last, codes):
    assert [p.code for p in period_problems(first, last, today=TODAY)] == codes


@pytest.mark.parametrize(
    ("outcome", "status", "codes"),
    [
        (EvaluationOutcome.RECOMMENDED_DEMONSTRATION, StationStatus.OPERATING, []),
        (
            EvaluationOutcome.RECOMMENDED_DEMONSTRATION,
            StationStatus.BUILDING,
            ["demonstration_needs_operation"],
        ),
        (EvaluationOutcome.NEEDS_IMPROVEMENT, StationStatus.BUILDING, []),
    ],
)
def test_r17_demonstration_stations_come_from_running_stations(outcome, status, codes):
    assert [p.code for p in outcome_problems(outcome, status)] == codes
