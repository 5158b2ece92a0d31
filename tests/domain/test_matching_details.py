"""Scoring and windows at their edges: weights given in part, normalised once and kept to six
places; headroom of nothing; windows that cross Hangzhou's midnight or last more than a week."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from service.domain.geo import EARTH_RADIUS_KM, Point, distance_km
from service.domain.matching import (
    DEFAULT_WEIGHTS,
    Component,
    ProviderFacts,
    RequestFacts,
    Weights,
    headroom,
    local_days,
    score,
    touched_weekdays,
)

C = Component


def test_weights_given_in_part_leave_the_rest_at_zero_and_keep_six_places():
    shares = Weights.of({C.SKILL_COVERAGE: 1.0, C.DISTANCE: 2.0}).shares
    assert shares == (0.333333, 0.666667, 0.0, 0.0, 0.0, 0.0, 0.0)


def test_no_positive_weight_is_refused_by_name():
    with pytest.raises(ValueError, match="^at least one weight must be positive$"):
        Weights.of({C.SKILL_COVERAGE: 0.0})
    with pytest.raises(ValueError, match="^at least one weight must be positive$"):
        Weights.of({})


def test_weights_normalised_once_score_as_the_raw_ones():
    request = RequestFacts(frozenset({"home_visits"}), 2, "330106002001")
    provider = ProviderFacts(frozenset(), 1, ("330106",), outcomes=1, outcome_sum=1.0)
    raw = {C.SKILL_COVERAGE: 3.0, C.RELIABILITY: 1.0}

    once = score(request, provider, Weights.of(raw))

    assert once == score(request, provider, raw)
    # skill 0 × 0.75 + reliability (2.1 + 1) / 4 = 0.775 × 0.25
    assert once.total == 0.19375
    assert score(request, provider, Weights.of(DEFAULT_WEIGHTS)) == score(request, provider)


@pytest.mark.parametrize(("left", "quantity", "expected"), [(0, 1, 0.0), (1, 1, 1.0), (-2, 1, 0.0)])
def test_headroom_for_one_wanted(left, quantity, expected):
    assert headroom(left, quantity) == expected


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "days"),
    [
        # 22:00–24:00 in Hangzhou on the 7th: it ends at midnight, touching nothing of the 8th
        (
            datetime(2026, 3, 7, 14, tzinfo=UTC),
            datetime(2026, 3, 7, 16, tzinfo=UTC),
            [date(2026, 3, 7)],
        ),
        # 23:00 on the 7th to 00:00:00.000001 on the 8th
        (
            datetime(2026, 3, 7, 15, tzinfo=UTC),
            datetime(2026, 3, 7, 16, 0, 0, 1, tzinfo=UTC),
            [date(2026, 3, 7), date(2026, 3, 8)],
        ),
        # 05:00–07:00 on the 8th in Hangzhou, still the 7th in UTC
        (
            datetime(2026, 3, 7, 21, tzinfo=UTC),
            datetime(2026, 3, 7, 23, tzinfo=UTC),
            [date(2026, 3, 8)],
        ),
    ],
)
def test_a_window_touches_the_hangzhou_days_it_covers(starts_at, ends_at, days):
    assert local_days(starts_at, ends_at) == days


def test_a_window_of_more_than_a_week_touches_seven_days_and_every_weekday():
    starts_at, ends_at = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 12, tzinfo=UTC)
    assert local_days(starts_at, ends_at) == [date(2026, 3, d) for d in range(1, 8)]
    assert touched_weekdays(starts_at, ends_at) == [1, 2, 3, 4, 5, 6, 7]


def test_the_weekdays_of_a_window_are_hangzhous():
    # Saturday 7 March 21:00 UTC is Sunday 05:00 in Hangzhou
    assert touched_weekdays(
        datetime(2026, 3, 7, 21, tzinfo=UTC), datetime(2026, 3, 7, 23, tzinfo=UTC)
    ) == [7]


def test_antipodes_are_half_the_earth_apart_even_when_rounding_overshoots():
    # At ±0.2329° the haversine term comes out as 1.0000000000000002 in floating point: past
    # the domain of asin but for the clamp (or sqrt rounding it back to 1.0).
    far = distance_km(Point(0.2329, 0.0), Point(-0.2329, 180.0))
    assert far == pytest.approx(math.pi * EARTH_RADIUS_KM)
