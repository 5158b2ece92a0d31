"""Rules of volunteers' homes and of charity resources: units, quantities, availability."""

from __future__ import annotations

from datetime import date

import pytest

from service.domain.geo import Point
from service.domain.offerings import QuantityUnit
from service.domain.partners import CharityResourceKind, PartnerStatus
from service.domain.resources import (
    ResourceAvailability,
    approximate_home,
    home_problems,
    quantity_problems,
    resource_availability,
    unit_problems,
)

TODAY = date(2026, 6, 15)
BEFORE, AFTER = date(2026, 6, 14), date(2026, 6, 16)
ACTIVE, INACTIVE, WITHDRAWN = PartnerStatus.ACTIVE, PartnerStatus.INACTIVE, PartnerStatus.WITHDRAWN
A = ResourceAvailability


@pytest.mark.parametrize(
    ("status", "remaining", "valid_from", "valid_until", "expected"),
    [
        (ACTIVE, 10, None, None, A.AVAILABLE),
        (ACTIVE, 1, TODAY, TODAY, A.AVAILABLE),  # the window's days are inclusive
        (ACTIVE, 10, BEFORE, AFTER, A.AVAILABLE),
        (ACTIVE, 0, None, None, A.EXHAUSTED),
        (ACTIVE, 10, None, BEFORE, A.EXPIRED),
        (ACTIVE, 10, AFTER, None, A.NOT_YET_VALID),
        (ACTIVE, 0, None, BEFORE, A.EXPIRED),  # expiry outranks what is left
        (ACTIVE, 0, AFTER, None, A.NOT_YET_VALID),
        (INACTIVE, 10, None, None, A.WITHDRAWN),  # paused by its organisation
        (WITHDRAWN, 10, None, None, A.WITHDRAWN),
        (WITHDRAWN, 0, None, BEFORE, A.WITHDRAWN),  # withdrawal outranks everything
    ],
)
def test_availability_of_a_resource(status, remaining, valid_from, valid_until, expected):
    assert (
        resource_availability(
            status=status,
            remaining=remaining,
            valid_from=valid_from,
            valid_until=valid_until,
            today=TODAY,
        )
        is expected
    )


# Written out, not derived from UNITS_BY_KIND, so that a change of the table shows up here.
ALLOWED_UNITS = {
    CharityResourceKind.FUNDS: {QuantityUnit.YUAN},
    CharityResourceKind.GOODS: {QuantityUnit.ITEMS},
    CharityResourceKind.VENUE: {
        QuantityUnit.SQUARE_METRES,
        QuantityUnit.SESSIONS,
        QuantityUnit.HOURS,
    },
    CharityResourceKind.PROJECT: {QuantityUnit.PEOPLE, QuantityUnit.SESSIONS, QuantityUnit.HOURS},
}


@pytest.mark.parametrize("kind", list(CharityResourceKind))
@pytest.mark.parametrize("unit", list(QuantityUnit))
def test_each_kind_is_counted_in_its_own_units(kind, unit):
    problems = unit_problems(kind, unit)
    if unit in ALLOWED_UNITS[kind]:
        assert problems == []
    else:
        [problem] = problems
        assert (problem.field, problem.code) == ("unit", "unit_not_for_kind")
        assert unit.value in problem.message


@pytest.mark.parametrize(
    ("total", "remaining", "refused"),
    [(10, 10, False), (10, 0, False), (0, 0, False), (10, 11, True), (0, 1, True)],
)
def test_what_remains_never_exceeds_the_total(total, remaining, refused):
    problems = quantity_problems(total, remaining)
    assert [(p.field, p.code) for p in problems] == (
        [("remaining_quantity", "remaining_exceeds_total")] if refused else []
    )


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (Point(30.2634, 120.1371), Point(30.26, 120.14)),
        (Point(30.2672, 120.1349), Point(30.27, 120.13)),  # the nearest hundredth, both ways
        (Point(29.18, 118.33), Point(29.18, 118.33)),
    ],
)
def test_a_home_is_kept_to_about_a_kilometre(given, stored):
    assert approximate_home(given) == stored


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        (None, True),
        (Point(30.27, 120.15), True),  # 西湖
        (Point(29.60, 119.03), True),  # 淳安
        (Point(31.23, 121.47), False),  # 上海
        (Point(30.27, 120.80), False),  # east of 钱塘
        (Point(29.10, 119.50), False),  # south of 淳安
    ],
)
def test_a_home_lies_inside_hangzhou(point, inside):
    problems = home_problems(point)
    assert [(p.field, p.code) for p in problems] == (
        [] if inside else [("home_location", "location_outside_hangzhou")]
    )
