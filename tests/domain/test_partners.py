"""The partners' own rules: availability, validity windows, service areas, qualifications."""

from __future__ import annotations

from datetime import date, time

import pytest

from service.domain.errors import FieldProblem
from service.domain.partners import (
    CertificateLevel,
    DateException,
    SupervisorLevel,
    WeeklyWindow,
    availability_problems,
    availability_required,
    covers,
    distinct,
    is_certified,
    is_supervisor,
    service_area_problems,
    validity_problems,
)


def slot(weekday: int, start: str, end: str) -> WeeklyWindow:
    return WeeklyWindow(weekday, time.fromisoformat(start), time.fromisoformat(end))


def test_windows_that_end_after_they_start_and_do_not_overlap_are_fine():
    windows = [slot(6, "09:00", "12:00"), slot(6, "12:00", "13:00"), slot(2, "09:00", "12:00")]
    exceptions = [DateException(date(2026, 10, 1), False), DateException(date(2026, 10, 2), True)]
    assert availability_problems(windows, exceptions, field="availability") == []


def test_every_availability_problem_is_named_with_its_place():
    windows = [
        slot(6, "09:00", "12:00"),
        slot(6, "11:30", "13:00"),  # overlaps the first
        slot(2, "18:00", "18:00"),  # ends as it starts
        slot(3, "20:00", "08:00"),  # ends before it starts
        slot(7, "08:00", "10:00"),
        slot(1, "09:30", "10:00"),  # Monday, after Sunday in the list: sorted by weekday
        slot(1, "09:00", "09:45"),
    ]
    exceptions = [
        DateException(date(2026, 10, 1), False),
        DateException(date(2026, 10, 1), True),
        DateException(date(2026, 10, 2), True),
    ]

    assert availability_problems(windows, exceptions, field="availability") == [
        FieldProblem(
            "availability.weekly[2]",
            "ends at 18:00, not after it starts",
            "window_ends_before_start",
        ),
        FieldProblem(
            "availability.weekly[3]",
            "ends at 08:00, not after it starts",
            "window_ends_before_start",
        ),
        FieldProblem("availability.weekly", "two windows overlap on weekday 1", "windows_overlap"),
        FieldProblem("availability.weekly", "two windows overlap on weekday 6", "windows_overlap"),
        FieldProblem(
            "availability.exceptions", "2026-10-01 is listed twice", "duplicate_exception"
        ),
    ]


def test_a_window_of_no_length_is_refused_once_not_as_an_overlap():
    windows = [slot(2, "17:00", "19:00"), slot(2, "18:00", "18:00")]
    assert availability_problems(windows, [], field="a") == [
        FieldProblem(
            "a.weekly[1]", "ends at 18:00, not after it starts", "window_ends_before_start"
        )
    ]


def test_windows_on_different_days_never_overlap():
    windows = [slot(1, "09:00", "17:00"), slot(2, "08:00", "10:00"), slot(3, "00:00", "23:59")]
    assert availability_problems(windows, [], field="a") == []


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "problems"),
    [
        (None, None, []),
        (date(2026, 3, 1), None, []),
        (None, date(2026, 3, 1), []),
        (date(2026, 3, 1), date(2026, 3, 1), []),
        (date(2026, 3, 1), date(2026, 12, 31), []),
        (
            date(2026, 3, 2),
            date(2026, 3, 1),
            [
                FieldProblem(
                    "valid_until",
                    "2026-03-01 is before valid_from 2026-03-02",
                    "window_ends_before_start",
                )
            ],
        ),
    ],
)
def test_a_validity_window_ends_on_or_after_its_first_day(valid_from, valid_until, problems):
    assert validity_problems(valid_from, valid_until) == problems


def test_distinct_keeps_the_first_of_each_in_order():
    assert distinct(["330106", "330102", "330106", "330105", "330102"]) == [
        "330106",
        "330102",
        "330105",
    ]


def test_every_unknown_division_of_a_service_area_is_named():
    problems = service_area_problems(
        ["330106", "330199", "330106002", "110101"], {"330106", "330106002"}, field="area"
    )
    assert problems == [
        FieldProblem("area[1]", "330199 is not a Hangzhou division code", "unknown_division"),
        FieldProblem("area[3]", "110101 is not a Hangzhou division code", "unknown_division"),
    ]
    assert service_area_problems(["330199"], set())[0].field == "service_area[0]"


@pytest.mark.parametrize(
    ("area", "division", "covered"),
    [
        (["330106"], "330106002", True),  # its district
        (["330106002"], "330106002", True),
        (["330106002001"], "330106002", False),  # a community does not cover its township
        (["330102", "330106"], "330106002001", True),
        (["330102"], "330106002", False),
        ([], "330106002", False),
    ],
)
def test_a_service_area_covers_what_it_names_and_what_lies_within(area, division, covered):
    assert covers(area, division) is covered


def test_certified_and_supervisor_levels():
    assert [is_certified(level) for level in CertificateLevel] == [False, True, True, True]
    assert [is_supervisor(level) for level in SupervisorLevel] == [False, True, True, True]


SLOT = WeeklyWindow(6, time(9), time(12))
FREE_DAY = DateException(date(2026, 5, 1), available=True)
AWAY_DAY = DateException(date(2026, 5, 2), available=False)


@pytest.mark.parametrize(
    ("windows", "exceptions", "active", "refused"),
    [
        ((), (), True, True),
        ((), (AWAY_DAY,), True, True),
        ((SLOT,), (), True, False),
        ((), (FREE_DAY,), True, False),
        ((), (AWAY_DAY, FREE_DAY), True, False),
        ((), (), False, False),
    ],
)
def test_availability_is_required_of_an_active_volunteer(windows, exceptions, active, refused):
    problems = availability_required(windows, exceptions, active=active, field="availability")

    assert [p.code for p in problems] == (["availability_required"] if refused else [])
    assert all(p.field == "availability.weekly" for p in problems)
