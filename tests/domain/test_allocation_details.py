"""Allocation in detail: what applying a run keeps and skips, with its reasons; the refusal to
apply a run twice or unfinished; the edges of the solver's input (scores that round to nothing,
capacities that were never there)."""

from __future__ import annotations

import uuid

import pytest

from service.domain.allocation import (
    AllocationInputError,
    Arc,
    Assignment,
    Demand,
    LiveOffer,
    RequestNow,
    RunStatus,
    Skipped,
    allocate,
    candidate_arcs,
    check_applicable,
    provider_capacities,
    still_fitting,
)
from service.domain.errors import Conflict
from service.domain.matching import Candidate, Score

REQUEST = uuid.UUID(int=100)
ORGANISATION = ("organisation", uuid.UUID(int=9))
VOLUNTEER = ("volunteer", uuid.UUID(int=1))
OTHER_VOLUNTEER = ("volunteer", uuid.UUID(int=2))
HOLDER = ("volunteer", uuid.UUID(int=3))


def assigned(provider, quantity: int, score: float) -> Assignment:
    return Assignment(REQUEST, provider, quantity, score)


def test_applying_keeps_the_best_first_cut_to_what_is_free():
    # 6 requested, 2 committed, HOLDER's proposal holds 1 more: 3 are free.
    now = RequestNow(True, 6, 2, (LiveOffer(HOLDER, 1, accepted=False),))
    best, held, tie_org, tie_vol, last = (
        assigned(OTHER_VOLUNTEER, 1, 0.9),
        assigned(HOLDER, 1, 0.85),
        assigned(ORGANISATION, 1, 0.8),  # ties break by provider type, then id
        assigned(VOLUNTEER, 3, 0.8),
        assigned(("volunteer", uuid.UUID(int=4)), 1, 0.1),
    )

    kept, skipped = still_fitting([last, tie_vol, held, tie_org, best], now)

    assert kept == [best, tie_org, assigned(VOLUNTEER, 1, 0.8)]
    assert skipped == [
        Skipped(held, "already_offered", "the provider holds an offer for this request already"),
        Skipped(
            last, "quantity_taken", "what the run assigned has been committed or offered since"
        ),
    ]


@pytest.mark.parametrize("now", [None, RequestNow(False, 5, 0)])
def test_a_request_that_takes_no_offers_skips_every_assignment(now):
    assignments = [assigned(VOLUNTEER, 1, 0.5), assigned(ORGANISATION, 2, 0.4)]
    kept, skipped = still_fitting(assignments, now)
    assert kept == []
    reason = "the request is no longer open for offers"
    assert skipped == [Skipped(a, "request_not_open", reason) for a in assignments]


def test_the_last_free_unit_is_kept():
    kept, skipped = still_fitting([assigned(VOLUNTEER, 2, 0.5)], RequestNow(True, 3, 2))
    assert (kept, skipped) == ([assigned(VOLUNTEER, 1, 0.5)], [])


def test_a_run_is_applied_once_and_only_when_it_succeeded():
    check_applicable(RunStatus.SUCCEEDED)
    with pytest.raises(Conflict) as applied:
        check_applicable(RunStatus.APPLIED)
    assert (applied.value.code, applied.value.detail, applied.value.extra) == (
        "allocation_run_applied",
        "the allocation run has been applied already",
        {"current_status": "applied"},
    )
    with pytest.raises(Conflict) as failed:
        check_applicable(RunStatus.FAILED)
    assert (failed.value.code, failed.value.detail, failed.value.extra) == (
        "allocation_run_not_succeeded",
        "only a succeeded allocation run can be applied; this one is failed",
        {"current_status": "failed"},
    )


def test_a_negative_arc_capacity_is_refused_by_name():
    with pytest.raises(AllocationInputError, match="^an arc has a negative capacity$"):
        allocate([Demand(REQUEST, 1)], [Arc(REQUEST, VOLUNTEER, -1, 0.5)], {VOLUNTEER: 1})


def test_a_score_that_rounds_to_nothing_is_never_assigned():
    arcs = [Arc(REQUEST, VOLUNTEER, 1, 0.0), Arc(REQUEST, ORGANISATION, 5, 0.0000004)]
    allocation = allocate([Demand(REQUEST, 3)], arcs, {VOLUNTEER: 1, ORGANISATION: 5})
    assert (allocation.assignments, allocation.total_score, allocation.objective) == ((), 0.0, 0)
    assert isinstance(allocation.solver_seconds, float)


def test_the_smallest_score_that_counts_is_assigned_and_totals_keep_six_decimals():
    arcs = [Arc(REQUEST, VOLUNTEER, 1, 0.000001), Arc(REQUEST, ORGANISATION, 1, 0.1234567)]
    allocation = allocate([Demand(REQUEST, 2)], arcs, {VOLUNTEER: 1, ORGANISATION: 1})
    assert allocation.assignments == (
        Assignment(REQUEST, ORGANISATION, 1, 0.1234567),
        Assignment(REQUEST, VOLUNTEER, 1, 0.000001),
    )
    assert (allocation.total_score, allocation.objective) == (0.123458, 123458)
    assert isinstance(allocation.solver_seconds, float)  # measured: its value is free


def test_a_providers_capacity_for_a_run_is_the_most_it_showed_and_never_negative():
    shown = [(VOLUNTEER, 3), (VOLUNTEER, -2), (ORGANISATION, -1), (HOLDER, 0)]
    assert provider_capacities(shown) == {VOLUNTEER: 3, ORGANISATION: 0, HOLDER: 0}


def test_a_candidate_without_capacity_left_gives_an_arc_of_none():
    def candidate(capacity_left: int, total: float) -> Candidate:
        return Candidate("volunteer", VOLUNTEER[1], "李", capacity_left, Score(total, (), ()))

    arcs, capacities = candidate_arcs({REQUEST: [candidate(0, 1.2)]})
    assert arcs == [Arc(REQUEST, VOLUNTEER, 0, 1.0)]
    assert capacities == {VOLUNTEER: 0}
    arcs, _ = candidate_arcs({REQUEST: [candidate(-3, -0.1)]})
    assert arcs == [Arc(REQUEST, VOLUNTEER, 0, 0.0)]
