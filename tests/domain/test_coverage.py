"""R14 targets and the arithmetic of coverage counts."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.coverage import (
    ZERO,
    CoverageCounts,
    Metric,
    TargetProgress,
    TargetYear,
    targets_for,
)

CITY = CoverageCounts(
    townships_needing_station=191,
    stations=170,
    operating_stations=150,
    demonstration_stations=12,
    offices=250,
    demonstration_offices=101,
)


def as_table(progress: list[TargetProgress]) -> list[tuple[Metric, int, int]]:
    return [(p.metric, p.target, p.actual) for p in progress]


def test_2021_targets() -> None:
    assert as_table(targets_for(TargetYear.Y2021, CITY)) == [
        (Metric.OPERATING_STATIONS, 60, 150),
        (Metric.DEMONSTRATION_STATIONS, 10, 12),
        (Metric.DEMONSTRATION_OFFICES, 100, 101),
    ]


@pytest.mark.parametrize("year", [TargetYear.Y2023, TargetYear.Y2025])
def test_2023_and_2025_targets_cover_every_township(year: TargetYear) -> None:
    assert as_table(targets_for(year, CITY)) == [
        (Metric.TOWNSHIP_COVERAGE, 191, 150),
        (Metric.DEMONSTRATION_STATIONS, 30, 12),
        (Metric.OFFICES, 300, 250),
    ]


def test_coverage_target_follows_the_townships_needing_a_station() -> None:
    district = dataclasses.replace(CITY, townships_needing_station=7, operating_stations=7)
    [coverage, *_] = targets_for(TargetYear.Y2023, district)
    assert (coverage.target, coverage.actual, coverage.met) == (7, 7, True)


def test_which_targets_are_met() -> None:
    assert [p.met for p in targets_for(TargetYear.Y2021, CITY)] == [True, True, True]
    assert [p.met for p in targets_for(TargetYear.Y2023, CITY)] == [False, False, False]
    assert [p.met for p in targets_for(TargetYear.Y2021, ZERO)] == [False, False, False]


@pytest.mark.parametrize(
    ("target", "actual", "ratio", "met"),
    [
        (60, 0, 0.0, False),
        (60, 59, 0.9833, False),
        (60, 60, 1.0, True),
        (60, 72, 1.2, True),
        (3, 1, 0.3333, False),
        (3, 2, 0.6667, False),
        (0, 0, 1.0, True),
        (0, 5, 1.0, True),
    ],
)
def test_progress_ratio_and_met(target: int, actual: int, ratio: float, met: bool) -> None:
    progress = TargetProgress(Metric.OPERATING_STATIONS, target, actual)
    assert progress.ratio == ratio
    assert progress.met is met


def test_counts_add_field_by_field() -> None:
    a = CoverageCounts(1, 2, 3, 4, 5, 6)
    b = CoverageCounts(10, 20, 30, 40, 50, 60)
    assert a + b == CoverageCounts(
        townships_needing_station=11,
        stations=22,
        operating_stations=33,
        demonstration_stations=44,
        offices=55,
        demonstration_offices=66,
    )


counts = st.builds(CoverageCounts, *[st.integers(0, 10_000)] * 6)


@given(a=counts, b=counts, c=counts)
def test_counts_form_a_monoid(a: CoverageCounts, b: CoverageCounts, c: CoverageCounts) -> None:
    assert a + ZERO == a == ZERO + a
    assert a + b == b + a
    assert (a + b) + c == a + (b + c)
    for field in dataclasses.fields(CoverageCounts):
        assert getattr(a + b, field.name) == getattr(a, field.name) + getattr(b, field.name)


def test_districts_sum_to_the_city() -> None:
    districts = [CoverageCounts(12, 10, 9, 1, 20, 5), CoverageCounts(23, 5, 5, 0, 31, 2)]
    assert sum(districts, ZERO) == CoverageCounts(35, 15, 14, 1, 51, 7)


@pytest.mark.parametrize(
    ("needing", "operating", "ratio"),
    [
        (191, 0, 0.0),
        (191, 191, 1.0),
        (191, 150, 0.7853),
        (3, 1, 0.3333),
        (3, 2, 0.6667),
        (0, 0, 1.0),
    ],
)
def test_coverage_ratio(needing: int, operating: int, ratio: float) -> None:
    counts = CoverageCounts(needing, operating, operating, 0, 0, 0)
    assert counts.coverage_ratio == ratio


def test_coverage_counts_operating_not_merely_registered_stations() -> None:
    counts = CoverageCounts(
        10,
        stations=10,
        operating_stations=4,
        demonstration_stations=0,
        offices=0,
        demonstration_offices=0,
    )
    assert counts.coverage_ratio == 0.4
