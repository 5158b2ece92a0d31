"""Scoring: each component's meaning, and properties every score keeps."""

from __future__ import annotations

import math
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.geo import Point, distance_km
from service.domain.matching import (
    CHINA_TIME,
    DEFAULT_WEIGHTS,
    Availability,
    Component,
    ProviderFacts,
    RequestFacts,
    Score,
    distance_value,
    fairness,
    headroom,
    proximity,
    reliability,
    score,
    skill_coverage,
)

WEST_LAKE = Point(30.2466, 120.1620)
XIAOSHAN = Point(30.1850, 120.2640)


def test_distance_between_west_lake_and_xiaoshan_is_about_twelve_km():
    assert 11 < distance_km(WEST_LAKE, XIAOSHAN) < 13
    assert distance_km(WEST_LAKE, WEST_LAKE) == 0


@pytest.mark.parametrize(
    ("required", "offered", "expected"),
    [
        (set(), set(), 1.0),
        ({"home_visits"}, {"home_visits", "driving"}, 1.0),
        ({"home_visits", "first_aid"}, {"home_visits"}, 0.5),
        ({"home_visits"}, set(), 0.0),
    ],
)
def test_skill_coverage_is_the_share_of_required_skills_held(required, offered, expected):
    assert skill_coverage(frozenset(required), frozenset(offered)) == expected


def test_distance_decays_and_unknown_is_neutral():
    assert distance_value(WEST_LAKE, WEST_LAKE) == 1.0
    assert math.isclose(
        distance_value(WEST_LAKE, XIAOSHAN), math.exp(-distance_km(WEST_LAKE, XIAOSHAN) / 5)
    )
    assert distance_value(None, WEST_LAKE) == distance_value(WEST_LAKE, None) == 0.5


@pytest.mark.parametrize(
    ("left", "quantity", "expected"),
    [(10, 5, 1.0), (2, 8, 0.25), (0, 3, 0.0), (-1, 3, 0.0), (4, 0, 1.0)],
)
def test_headroom(left, quantity, expected):
    assert headroom(left, quantity) == expected


def test_reliability_starts_at_the_prior_and_learns_from_outcomes():
    assert reliability(0, 0.0) == pytest.approx(0.7)
    assert reliability(1, 0.0) < reliability(0, 0.0) < reliability(1, 1.0)
    assert reliability(100, 100.0) > 0.99  # a long perfect record outweighs the prior
    assert reliability(100, 0.0) < 0.03


def test_fairness_prefers_the_idle():
    assert fairness(0) == 1.0
    assert fairness(3) == 0.5
    assert fairness(1) > fairness(2) > fairness(10)


@pytest.mark.parametrize(
    ("division", "area", "expected"),
    [
        ("330106002051", ["330106002"], 1.0),  # serves the request's township
        ("330106002", ["330106002052"], 1.0),  # serves a community of it
        ("330106004", ["330106002"], 0.5),  # another township of the district
        ("330106004", ["330106"], 0.5),  # the whole district
        ("330102001", ["330106002"], 0.0),
        ("330106002", ["3301"], 0.0),  # city-wide: no nearer for it
        ("330106002", [], 0.0),
    ],
)
def test_proximity_reads_the_service_area(division, area, expected):
    assert proximity(division, area) == expected


def request(**overrides) -> RequestFacts:
    values = {
        "required_skills": frozenset({"home_visits"}),
        "quantity": 2,
        "division_code": "330106002",
    }
    return RequestFacts(**(values | overrides))


def provider(**overrides) -> ProviderFacts:
    values = {"skills": frozenset({"home_visits"}), "capacity_left": 4}
    return ProviderFacts(**(values | overrides))


def test_a_score_explains_itself():
    result = score(request(), provider(linked_with_station=True))
    assert {part.component for part in result.parts} == set(Component)
    assert sum(part.weight for part in result.parts) == pytest.approx(1.0)
    assert result.total == pytest.approx(sum(part.contribution for part in result.parts), abs=1e-5)
    linkage = next(part for part in result.parts if part.component is Component.LINKAGE)
    assert linkage.value == 1.0 and linkage.contribution == pytest.approx(linkage.weight)


def test_more_of_what_is_needed_scores_higher():
    base = score(request(), provider(skills=frozenset()))
    skilled = score(request(), provider())
    linked = score(request(), provider(linked_with_station=True))
    assert base.total < skilled.total < linked.total


def test_weights_are_normalised_and_must_not_all_be_zero():
    doubled = {component: 2 * weight for component, weight in DEFAULT_WEIGHTS.items()}
    assert score(request(), provider(), doubled).total == pytest.approx(
        score(request(), provider()).total
    )
    with pytest.raises(ValueError, match="positive"):
        score(request(), provider(), {component: 0.0 for component in Component})


skills = st.frozensets(st.sampled_from(["home_visits", "first_aid", "driving", "casework"]))
points = st.none() | st.builds(Point, st.floats(29.2, 30.5), st.floats(118.4, 120.7))


@given(
    required=skills,
    offered=skills,
    quantity=st.integers(0, 1000),
    left=st.integers(-5, 1000),
    outcomes=st.integers(0, 500),
    commitments=st.integers(0, 100),
    linked=st.booleans(),
    here=points,
    there=points,
)
def test_every_score_and_part_stays_between_zero_and_one(
    required, offered, quantity, left, outcomes, commitments, linked, here, there
):
    result = score(
        RequestFacts(required, quantity, "330106002", here),
        ProviderFacts(
            offered,
            left,
            location=there,
            outcomes=outcomes,
            outcome_sum=outcomes * 0.8,
            open_commitments=commitments,
            linked_with_station=linked,
        ),
    )
    assert 0.0 <= result.total <= 1.0
    assert all(0.0 <= part.value <= 1.0 for part in result.parts)


@given(required=skills, offered=skills, extra=skills)
def test_offering_more_skills_never_lowers_a_score(required, offered, extra):
    before = score(request(required_skills=required), provider(skills=offered))
    after = score(request(required_skills=required), provider(skills=offered | extra))
    assert after.total >= before.total


def test_ranking_is_best_first_and_reproducible():
    import uuid

    from service.domain.matching import Candidate, rank

    def candidate(total: float, provider_type: str, number: int) -> Candidate:
        return Candidate(provider_type, uuid.UUID(int=number), "x", 1, Score(total, (), ()))

    pool = [
        candidate(0.5, "volunteer", 2),
        candidate(0.9, "volunteer", 3),
        candidate(0.5, "organisation", 9),
        candidate(0.5, "volunteer", 1),
    ]
    ranked = rank(pool, 3)
    assert [(c.score.total, c.provider_type, c.provider_id.int) for c in ranked] == [
        (0.9, "volunteer", 3),
        (0.5, "organisation", 9),
        (0.5, "volunteer", 1),
    ]
    assert rank(list(reversed(pool)), 3) == ranked


# --- availability: weekly slots and date exceptions against a window in Hangzhou time ------------

SATURDAY_MORNING_SLOT = {"weekday": 6, "start": "09:00", "end": "12:00"}


def hangzhou(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of December 2026 in Hangzhou time: 5 December is a Saturday."""
    return datetime(2026, 12, day, hour, minute, tzinfo=CHINA_TIME)


@pytest.mark.parametrize(
    ("window", "weekly", "exceptions", "expected"),
    [
        # within one day: slots on its weekday that cover the window whole (issue 8)
        ((hangzhou(5, 9, 30), hangzhou(5, 11, 30)), [SATURDAY_MORNING_SLOT], [], True),
        ((hangzhou(5, 11, 0), hangzhou(5, 13, 0)), [SATURDAY_MORNING_SLOT], [], False),  # part
        (
            (hangzhou(5, 9, 0), hangzhou(5, 11, 0)),
            [{"weekday": 6, "start": "10:00", "end": "11:00"}],
            [],
            False,
        ),
        (  # slots that meet join up
            (hangzhou(5, 9, 0), hangzhou(5, 13, 0)),
            [SATURDAY_MORNING_SLOT, {"weekday": 6, "start": "12:00", "end": "14:00"}],
            [],
            True,
        ),
        (  # a gap between them does not
            (hangzhou(5, 9, 0), hangzhou(5, 13, 0)),
            [SATURDAY_MORNING_SLOT, {"weekday": 6, "start": "12:30", "end": "14:00"}],
            [],
            False,
        ),
        ((hangzhou(5, 12, 0), hangzhou(5, 14, 0)), [SATURDAY_MORNING_SLOT], [], False),  # touches
        ((hangzhou(5, 7, 0), hangzhou(5, 9, 0)), [SATURDAY_MORNING_SLOT], [], False),
        ((hangzhou(6, 9, 30), hangzhou(6, 11, 30)), [SATURDAY_MORNING_SLOT], [], False),  # Sunday
        # Hangzhou's day, not UTC's: 07:00 on Saturday is still Friday in UTC
        (
            (hangzhou(5, 7, 0), hangzhou(5, 10, 0)),
            [{"weekday": 6, "start": "06:00", "end": "12:00"}],
            [],
            True,
        ),
        # an exception for the day decides it, either way
        (
            (hangzhou(5, 9, 30), hangzhou(5, 11, 30)),
            [SATURDAY_MORNING_SLOT],
            [{"date": "2026-12-05", "available": False}],
            False,
        ),
        (
            (hangzhou(5, 14, 0), hangzhou(5, 16, 0)),
            [],
            [{"date": "2026-12-05", "available": True}],
            True,
        ),
        (
            (hangzhou(5, 9, 30), hangzhou(5, 11, 30)),
            [SATURDAY_MORNING_SLOT],
            [{"date": "2026-12-06", "available": False}],
            True,
        ),
        # a window that ends at midnight is still one day, to 24:00
        (
            (hangzhou(5, 22, 0), hangzhou(6, 0, 0)),
            [{"weekday": 6, "start": "21:00", "end": "23:59"}],
            [],
            True,
        ),
        (
            (hangzhou(5, 22, 0), hangzhou(6, 0, 0)),
            [{"weekday": 6, "start": "21:00", "end": "23:00"}],
            [],
            False,
        ),
        # longer than a day: each day's part covered, by slots or an available exception
        (
            (hangzhou(5, 20, 0), hangzhou(6, 10, 0)),
            [{"weekday": 7, "start": "14:00", "end": "15:00"}],
            [],
            False,
        ),
        (
            (hangzhou(5, 20, 0), hangzhou(6, 10, 0)),
            [
                {"weekday": 6, "start": "19:00", "end": "23:59"},
                {"weekday": 7, "start": "00:00", "end": "10:00"},
            ],
            [],
            True,
        ),
        (
            (hangzhou(5, 20, 0), hangzhou(6, 10, 0)),
            [{"weekday": 6, "start": "19:00", "end": "23:59"}],
            [{"date": "2026-12-06", "available": True}],
            True,
        ),
        (
            (hangzhou(5, 20, 0), hangzhou(6, 10, 0)),
            [{"weekday": 1, "start": "09:00", "end": "12:00"}],
            [],
            False,
        ),
        # nobody without slots or exceptions
        ((hangzhou(5, 9, 30), hangzhou(5, 11, 30)), [], [], False),
    ],
)
def test_availability_of_a_window(window, weekly, exceptions, expected):
    assert Availability.of(*window).admits(weekly, exceptions) is expected
