"""The one rule of what a provider has left (service/domain/capacity.py), as properties.

The central one, of issue 8: in any world of holds, a quantity a candidate shows left can be
offered and then accepted, when nothing else changes. Candidates count every live hold
(proposed or accepted) that counts for the request; acceptance counts the accepted ones other
than the offer itself, plus the offer: the figures below are worked out by the test's own sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.capacity import check_capacity, fits, hold_counts, left, stated
from service.domain.errors import Conflict
from service.domain.offerings import QuantityUnit, ServiceCategory
from service.domain.requests import ProviderType

PERSONS = (ProviderType.VOLUNTEER, ProviderType.SOCIAL_WORKER)


@dataclass(frozen=True)
class Hold:
    quantity: int
    accepted: bool  # else a live proposal
    overlaps: bool  # its window overlaps the request's


holds = st.lists(
    st.builds(Hold, quantity=st.integers(1, 500), accepted=st.booleans(), overlaps=st.booleans()),
    max_size=8,
)
categories = st.sampled_from(list(ServiceCategory))
provider_types = st.sampled_from(list(ProviderType))
capacities = st.one_of(st.none(), st.integers(0, 2_000))


def counting(category: ServiceCategory, world: list[Hold], *, accepted_only: bool) -> int:
    """What the holds that count hold: consumables (funds, goods) whatever the window."""
    consumed = category in (ServiceCategory.FUNDS, ServiceCategory.GOODS)
    return sum(
        h.quantity for h in world if (h.overlaps or consumed) and (h.accepted or not accepted_only)
    )


@given(provider_types, categories, capacities, holds)
def test_what_a_candidate_shows_left_can_be_offered_and_accepted(
    provider_type, category, capacity, world
):
    shown = left(provider_type, capacity, counting(category, world, accepted_only=False))
    if shown == 0:
        return  # not a candidate
    offered = 1 if shown is None else shown  # the default offer: all it has left
    at_acceptance = counting(category, world, accepted_only=True)
    assert fits(provider_type, capacity, at_acceptance, offered)
    check_capacity(provider_type, capacity, at_acceptance, offered)  # no 409


@given(provider_types, categories, capacities, holds, st.integers(1, 3_000))
def test_acceptance_never_promises_more_than_the_capacity(
    provider_type, category, capacity, world, wanted
):
    held = counting(category, world, accepted_only=True)
    if capacity is not None and fits(provider_type, capacity, held, wanted):
        assert held + wanted <= capacity
        if provider_type in PERSONS:
            assert held == 0  # one person is booked whole


@given(categories, st.booleans())
def test_consumables_count_every_hold_people_and_places_only_overlapping_ones(category, overlaps):
    consumed = category in (ServiceCategory.FUNDS, ServiceCategory.GOODS)
    assert hold_counts(category, overlaps=overlaps) is (overlaps or consumed)


def test_the_issues_goods_280_left_60_accepted_for_tuesday():
    tuesday = Hold(60, accepted=True, overlaps=False)  # Thursday's request does not overlap
    shown = left(
        ProviderType.CHARITY_RESOURCE,
        280,
        counting(ServiceCategory.GOODS, [tuesday], accepted_only=False),
    )
    assert shown == 220
    with pytest.raises(Conflict) as refused:
        check_capacity(ProviderType.CHARITY_RESOURCE, 280, 60, 250)
    assert refused.value.code == "provider_capacity_exhausted"


@pytest.mark.parametrize(
    ("provider_type", "unit", "row", "expected"),
    [
        (ProviderType.VOLUNTEER, QuantityUnit.PEOPLE, {"hours_per_week": 5}, 1),
        (ProviderType.VOLUNTEER, QuantityUnit.HOURS, {"hours_per_week": 5}, 5),
        (ProviderType.SOCIAL_WORKER, QuantityUnit.HOURS, {"weekly_hours": None}, None),
        (ProviderType.VOLUNTEER, QuantityUnit.YUAN, {"hours_per_week": 5}, 0),
        (ProviderType.VOLUNTEER_TEAM, QuantityUnit.PEOPLE, {"capacity_people": 8}, 8),
        (
            ProviderType.VOLUNTEER_TEAM,
            QuantityUnit.PEOPLE,
            {"capacity_people": None, "members": 3},
            3,
        ),
        (ProviderType.VOLUNTEER_TEAM, QuantityUnit.HOURS, {"capacity_people": 8}, 0),
        (ProviderType.ORGANISATION, QuantityUnit.PEOPLE, {"capacity_amount": None}, None),
        (
            ProviderType.ORGANISATION,
            QuantityUnit.PEOPLE,
            {"capacity_amount": 40, "capacity_unit": "people"},
            40,
        ),
        (
            ProviderType.ORGANISATION,
            QuantityUnit.YUAN,
            {"capacity_amount": 40, "capacity_unit": "people"},
            0,
        ),
        (
            ProviderType.CHARITY_RESOURCE,
            QuantityUnit.ITEMS,
            {"remaining_quantity": 280, "unit": "items"},
            280,
        ),
        (
            ProviderType.CHARITY_RESOURCE,
            QuantityUnit.PEOPLE,
            {"remaining_quantity": 280, "unit": "items"},
            0,
        ),
        (ProviderType.UNIVERSITY, QuantityUnit.SESSIONS, {}, None),
    ],
)
def test_what_each_registry_can_give_at_once(provider_type, unit, row, expected):
    assert stated(provider_type, unit, row) == expected


@given(st.integers(0, 50), st.integers(1, 50))
def test_a_person_held_in_the_window_has_nothing_left(capacity, held):
    for person in PERSONS:
        assert left(person, capacity, held) == 0
        assert left(person, capacity, 0) == capacity


def test_a_refusal_says_what_is_left_and_what_was_held():
    with pytest.raises(Conflict) as refused:
        check_capacity(ProviderType.CHARITY_RESOURCE, 280, 60, 250)
    assert refused.value.detail == "the charity_resource can give 220 more; 250 is too much"
    assert refused.value.extra == {"remaining_quantity": 280, "held_quantity": 60}


def test_a_person_held_for_a_while_of_the_window_takes_no_hours_more():
    # 5 hours a week, 2 held in an overlapping window: 3 would be left, but a person is whole
    with pytest.raises(Conflict) as refused:
        check_capacity(ProviderType.VOLUNTEER, 5, 2, 2)
    assert refused.value.detail == "the volunteer can give 0 more; 2 is too much"
    check_capacity(ProviderType.VOLUNTEER_TEAM, 5, 2, 2)  # a team has 3 people left


@pytest.mark.parametrize(
    ("provider_type", "unit", "row", "expected"),
    [
        (ProviderType.SOCIAL_WORKER, QuantityUnit.HOURS, {"weekly_hours": 6}, 6),
        (ProviderType.VOLUNTEER_TEAM, QuantityUnit.PEOPLE, {"capacity_people": None}, 0),
        (ProviderType.VOLUNTEER_TEAM, QuantityUnit.PEOPLE, {"members": None}, 0),
    ],
)
def test_hours_and_headcounts_from_the_registry_row(provider_type, unit, row, expected):
    assert stated(provider_type, unit, row) == expected
