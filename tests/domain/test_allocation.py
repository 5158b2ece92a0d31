"""Batch allocation: the min-cost flow assignment is feasible, optimal and reproducible."""

from __future__ import annotations

import itertools
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from service.domain.access import Caller, Scope
from service.domain.allocation import (
    Allocation,
    AllocationInputError,
    Arc,
    Assignment,
    Demand,
    LiveOffer,
    ProviderKey,
    RequestNow,
    RunStatus,
    SolverFailed,
    allocate,
    candidate_arcs,
    check_applicable,
    check_may_allocate,
    provider_capacities,
    still_fitting,
    weight,
)
from service.domain.errors import Conflict, Forbidden
from service.domain.matching import Candidate, Score

PROVIDER_TYPES = ("volunteer", "volunteer_team", "organisation", "social_worker")


@dataclass(frozen=True)
class Instance:
    demands: list[Demand]
    arcs: list[Arc]
    capacities: dict[ProviderKey, int]

    def solve(self) -> Allocation:
        return allocate(self.demands, self.arcs, self.capacities)


scores = st.one_of(
    st.integers(0, 20).map(lambda n: n / 20),  # coarse: plenty of ties
    st.floats(0, 1, allow_nan=False),
)


@st.composite
def instances(
    draw: st.DrawFn,
    *,
    max_requests: int = 6,
    max_providers: int = 5,
    max_quantity: int = 8,
    max_arcs: int | None = None,
    least: int = 0,
) -> Instance:
    requests = draw(st.lists(st.uuids(), min_size=1, max_size=max_requests, unique=True))
    provider_ids = draw(st.lists(st.uuids(), min_size=1, max_size=max_providers, unique=True))
    providers = [(draw(st.sampled_from(PROVIDER_TYPES)), pid) for pid in provider_ids]
    demands = [Demand(request, draw(st.integers(least, max_quantity))) for request in requests]
    capacities = {key: draw(st.integers(least, max_quantity)) for key in providers}
    pairs = draw(
        st.lists(
            st.sampled_from(list(itertools.product(requests, providers))),
            unique=True,
            max_size=max_arcs if max_arcs is not None else len(requests) * len(providers),
        )
    )
    arcs = [
        Arc(request, provider, draw(st.integers(least, max_quantity)), draw(scores))
        for request, provider in pairs
    ]
    return Instance(demands, arcs, capacities)


def used_by_request(allocation: Allocation) -> dict[uuid.UUID, int]:
    used: dict[uuid.UUID, int] = defaultdict(int)
    for assignment in allocation.assignments:
        used[assignment.request_id] += assignment.quantity
    return used


def used_by_provider(allocation: Allocation) -> dict[ProviderKey, int]:
    used: dict[ProviderKey, int] = defaultdict(int)
    for assignment in allocation.assignments:
        used[assignment.provider] += assignment.quantity
    return used


def objective_of(instance: Instance, quantities: dict[tuple[uuid.UUID, ProviderKey], int]) -> int:
    score_of = {(arc.request_id, arc.provider): arc.score for arc in instance.arcs}
    return sum(weight(score_of[pair]) * quantity for pair, quantity in quantities.items())


def greedy(instance: Instance) -> int:
    """Best score first, as much as fits: the obvious heuristic the solver must never lose to."""
    left = {demand.request_id: demand.quantity for demand in instance.demands}
    room = dict(instance.capacities)
    chosen: dict[tuple[uuid.UUID, ProviderKey], int] = {}
    for arc in sorted(instance.arcs, key=lambda a: -weight(a.score)):
        quantity = min(arc.capacity, left[arc.request_id], room[arc.provider])
        if quantity > 0:
            chosen[arc.request_id, arc.provider] = quantity
            left[arc.request_id] -= quantity
            room[arc.provider] -= quantity
    return objective_of(instance, chosen)


def brute_force(instance: Instance) -> int:
    """The best objective over every feasible integer assignment (tiny instances only)."""
    left = {demand.request_id: demand.quantity for demand in instance.demands}
    ranges = [
        range(min(arc.capacity, left[arc.request_id], instance.capacities[arc.provider]) + 1)
        for arc in instance.arcs
    ]
    best = 0
    for quantities in itertools.product(*ranges):
        chosen = dict(
            zip(((a.request_id, a.provider) for a in instance.arcs), quantities, strict=True)
        )
        per_request: dict[uuid.UUID, int] = defaultdict(int)
        per_provider: dict[ProviderKey, int] = defaultdict(int)
        for (request, provider), quantity in chosen.items():
            per_request[request] += quantity
            per_provider[provider] += quantity
        if any(used > left[request] for request, used in per_request.items()):
            continue
        if any(used > instance.capacities[key] for key, used in per_provider.items()):
            continue
        best = max(best, objective_of(instance, chosen))
    return best


R1, R2, R3 = (uuid.UUID(int=n) for n in (1, 2, 3))
P1, P2, P3 = (("volunteer", uuid.UUID(int=n)) for n in (11, 12, 13))

# Greedy gives P1 to R1 (0.9) and leaves R2 with nothing; the optimum moves R1 to P2. Assigning
# as much as possible (maximum flow, then cost) would instead take R1→P2 and R2→P1 at 0.1 each.
TRADE_OFF = Instance(
    demands=[Demand(R1, 1), Demand(R2, 1)],
    arcs=[Arc(R1, P1, 1, 0.9), Arc(R1, P2, 1, 0.8), Arc(R2, P1, 1, 0.85)],
    capacities={P1: 1, P2: 1},
)
QUALITY_OVER_QUANTITY = Instance(
    demands=[Demand(R1, 1), Demand(R2, 1)],
    arcs=[Arc(R1, P1, 1, 0.9), Arc(R1, P2, 1, 0.1), Arc(R2, P1, 1, 0.1)],
    capacities={P1: 1, P2: 1},
)


# --- properties ----------------------------------------------------------------------------------


@given(instances())
def test_never_more_than_a_request_needs_or_a_provider_has(instance: Instance) -> None:
    allocation = instance.solve()
    quantity = {demand.request_id: demand.quantity for demand in instance.demands}
    arc_capacity = {(arc.request_id, arc.provider): arc.capacity for arc in instance.arcs}

    for request, used in used_by_request(allocation).items():
        assert used <= quantity[request]
    for provider, used in used_by_provider(allocation).items():
        assert used <= instance.capacities[provider]
    for assignment in allocation.assignments:
        assert 0 < assignment.quantity <= arc_capacity[assignment.request_id, assignment.provider]


@given(instances(), st.randoms(use_true_random=False))
def test_the_same_input_in_any_order_gives_the_same_assignment(
    instance: Instance, rng: random.Random
) -> None:
    demands, arcs, providers = (
        list(instance.demands),
        list(instance.arcs),
        list(instance.capacities.items()),
    )
    for items in (demands, arcs, providers):
        rng.shuffle(items)

    again = allocate(demands, arcs, dict(providers))

    first = instance.solve()
    assert again.assignments == first.assignments
    assert again.objective == first.objective
    assert again.total_score == first.total_score


@given(instances())
def test_a_provider_that_is_not_a_candidate_of_a_request_never_appears_for_it(
    instance: Instance,
) -> None:
    candidates = {(arc.request_id, arc.provider): arc.score for arc in instance.arcs}
    for assignment in instance.solve().assignments:
        assert (assignment.request_id, assignment.provider) in candidates
        assert assignment.score == candidates[assignment.request_id, assignment.provider]


@given(instances(), st.data())
def test_adding_capacity_never_lowers_the_total_score(instance: Instance, data: st.DataObject):
    before = instance.solve()
    extra = data.draw(st.integers(1, 5))
    where = data.draw(st.sampled_from(["provider", "request", "arc"]))
    if where == "provider":
        key = data.draw(st.sampled_from(sorted(instance.capacities)))
        capacities = instance.capacities | {key: instance.capacities[key] + extra}
        grown = replace(instance, capacities=capacities)
    elif where == "request":
        index = data.draw(st.integers(0, len(instance.demands) - 1))
        demands = list(instance.demands)
        demands[index] = replace(demands[index], quantity=demands[index].quantity + extra)
        grown = replace(instance, demands=demands)
    else:
        if not instance.arcs:
            return
        index = data.draw(st.integers(0, len(instance.arcs) - 1))
        arcs = list(instance.arcs)
        arcs[index] = replace(arcs[index], capacity=arcs[index].capacity + extra)
        grown = replace(instance, arcs=arcs)

    after = grown.solve()

    assert after.objective >= before.objective
    assert after.total_score >= before.total_score - 1e-6 * len(instance.arcs)


@given(instances(least=1))
@example(TRADE_OFF)
@example(QUALITY_OVER_QUANTITY)
def test_the_optimum_is_never_worse_than_greedy(instance: Instance) -> None:
    assert instance.solve().objective >= greedy(instance)


@settings(max_examples=200)
@given(instances(max_requests=3, max_providers=3, max_quantity=3, max_arcs=6, least=1))
@example(TRADE_OFF)
@example(QUALITY_OVER_QUANTITY)
def test_the_optimum_is_what_brute_force_finds_on_tiny_instances(instance: Instance) -> None:
    allocation = instance.solve()
    assert allocation.objective == brute_force(instance)


@given(instances())
def test_the_reported_totals_are_those_of_the_assignments(instance: Instance) -> None:
    allocation = instance.solve()
    assert allocation.objective == sum(weight(a.score) * a.quantity for a in allocation.assignments)
    assert allocation.total_score == pytest.approx(
        sum(a.score * a.quantity for a in allocation.assignments), abs=1e-6
    )


# --- examples ------------------------------------------------------------------------------------


def test_a_request_gives_way_where_greedy_would_not():
    instance = TRADE_OFF

    allocation = instance.solve()

    assert {(a.request_id, a.provider) for a in allocation.assignments} == {(R1, P2), (R2, P1)}
    assert allocation.total_score == pytest.approx(1.65)
    assert greedy(instance) < allocation.objective


def test_score_comes_before_quantity():
    allocation = QUALITY_OVER_QUANTITY.solve()

    assert [(a.request_id, a.provider) for a in allocation.assignments] == [(R1, P1)]


def test_a_provider_capacity_is_shared_by_every_request():
    allocation = allocate(
        [Demand(R1, 3), Demand(R2, 3), Demand(R3, 3)],
        [Arc(R1, P1, 3, 0.5), Arc(R2, P1, 3, 0.7), Arc(R3, P1, 3, 0.6)],
        {P1: 4},
    )

    assert [(a.request_id, a.quantity) for a in allocation.assignments] == [(R2, 3), (R3, 1)]
    assert allocation.objective == 3 * 700_000 + 600_000


def test_a_request_is_split_between_providers_when_one_is_not_enough():
    allocation = allocate(
        [Demand(R1, 5)],
        [Arc(R1, P1, 2, 0.9), Arc(R1, P2, 9, 0.4), Arc(R1, P3, 9, 0.6)],
        {
            P1: 2,
            P2: 9,
            P3: 9,
        },
    )

    assert [(a.provider, a.quantity) for a in allocation.assignments] == [(P1, 2), (P3, 3)]


def test_nothing_is_assigned_that_scores_nothing():
    allocation = allocate(
        [Demand(R1, 2)],
        [Arc(R1, P1, 2, 0.0), Arc(R1, P2, 2, 1e-9)],
        {
            P1: 2,
            P2: 2,
        },
    )

    assert allocation.assignments == ()
    assert allocation.total_score == 0


def test_an_empty_run_allocates_nothing():
    allocation = allocate([], [], {})
    assert allocation.assignments == () and allocation.objective == 0


def test_ties_are_broken_by_ids_whatever_the_order():
    arcs = [Arc(R1, P2, 1, 0.5), Arc(R1, P1, 1, 0.5)]
    first = allocate([Demand(R1, 1)], arcs, {P2: 1, P1: 1})
    second = allocate([Demand(R1, 1)], arcs[::-1], {P1: 1, P2: 1})
    assert first.assignments == second.assignments
    assert len(first.assignments) == 1


@pytest.mark.parametrize(
    ("demands", "arcs", "capacities", "message"),
    [
        ([Demand(R1, 1), Demand(R1, 2)], [], {}, "twice"),
        ([Demand(R1, -1)], [], {}, "negative quantity"),
        ([Demand(R1, 1)], [], {P1: -1}, "negative capacity"),
        ([Demand(R1, 1)], [Arc(R2, P1, 1, 0.5)], {P1: 1}, "unknown request"),
        ([Demand(R1, 1)], [Arc(R1, P2, 1, 0.5)], {P1: 1}, "unknown provider"),
        ([Demand(R1, 1)], [Arc(R1, P1, 1, 0.5)] * 2, {P1: 1}, "twice"),
        ([Demand(R1, 1)], [Arc(R1, P1, -1, 0.5)], {P1: 1}, "negative capacity"),
        ([Demand(R1, 1)], [Arc(R1, P1, 1, 1.5)], {P1: 1}, r"in \[0, 1\]"),
        ([Demand(R1, 1)], [Arc(R1, P1, 1, float("nan"))], {P1: 1}, r"in \[0, 1\]"),
    ],
)
def test_inconsistent_input_is_refused(demands, arcs, capacities, message):
    with pytest.raises(AllocationInputError, match=message):
        allocate(demands, arcs, capacities)


def test_numbers_the_solver_cannot_hold_fail_loudly():
    huge = 2**62
    with pytest.raises(SolverFailed, match="BAD_CAPACITY_RANGE"):
        allocate([Demand(R1, huge)], [Arc(R1, P1, huge, 1.0)], {P1: huge})


def test_a_providers_run_capacity_is_the_most_it_showed_any_request():
    assert provider_capacities([(P1, 2), (P2, 1), (P1, 5), (P1, 3), (P2, -4)]) == {P1: 5, P2: 1}


def candidate_of(provider: ProviderKey, *, capacity: int, score: float) -> Candidate:
    return Candidate(
        provider[0], provider[1], "某志愿者", capacity, Score(score, (min(score, 1.0),), (1.0,))
    )


# --- runs and applying them ----------------------------------------------------------------------


def test_run_input_comes_from_each_requests_candidates():
    found = {
        R1: [candidate_of(P1, capacity=2, score=0.9), candidate_of(P2, capacity=3, score=0.4)],
        R2: [candidate_of(P1, capacity=5, score=1.0000001)],  # rounding above 1 is clamped
    }

    arcs, capacities = candidate_arcs(found)

    assert arcs == [Arc(R1, P1, 2, 0.9), Arc(R1, P2, 3, 0.4), Arc(R2, P1, 5, 1.0)]
    assert capacities == {P1: 5, P2: 3}


def test_only_an_unbound_client_may_allocate():
    unbound = Caller(uuid.uuid4(), "planner", frozenset({Scope.ALLOCATION_RUN}))
    check_may_allocate(unbound)
    for bound, code in (
        (
            Caller(uuid.uuid4(), "station", frozenset({Scope.ALLOCATION_RUN}), station_id=R1),
            "outside_station_binding",
        ),
        (
            Caller(uuid.uuid4(), "agency", frozenset({Scope.ALLOCATION_RUN}), organisation_id=R1),
            "outside_organisation_binding",
        ),
    ):
        with pytest.raises(Forbidden) as raised:
            check_may_allocate(bound)
        assert raised.value.code == code


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (RunStatus.QUEUED, "allocation_run_not_succeeded"),
        (RunStatus.RUNNING, "allocation_run_not_succeeded"),
        (RunStatus.FAILED, "allocation_run_not_succeeded"),
        (RunStatus.APPLIED, "allocation_run_applied"),
    ],
)
def test_only_a_succeeded_run_is_applied_and_only_once(status, code):
    check_applicable(RunStatus.SUCCEEDED)
    with pytest.raises(Conflict) as raised:
        check_applicable(status)
    assert raised.value.code == code
    assert raised.value.extra == {"current_status": status.value}


def test_applying_cuts_assignments_to_what_is_still_free_best_first():
    planned = [Assignment(R1, P1, 2, 0.5), Assignment(R1, P2, 3, 0.9), Assignment(R1, P3, 1, 0.7)]
    now = RequestNow(
        offerable=True,
        quantity=8,
        committed=3,
        offers=(LiveOffer(P3, 1, accepted=False), LiveOffer(P1, 3, accepted=True)),
    )  # 8 − 3 committed − 1 proposed: 4 free; P1 and P3 hold offers already

    kept, skipped = still_fitting(planned, now)

    assert kept == [Assignment(R1, P2, 3, 0.9)]
    assert [(s.assignment.provider, s.code) for s in skipped] == [
        (P3, "already_offered"),
        (P1, "already_offered"),
    ]
    tight = RequestNow(offerable=True, quantity=4, committed=2)
    kept, skipped = still_fitting(planned, tight)
    assert kept == [Assignment(R1, P2, 2, 0.9)]
    assert [(s.assignment.provider, s.code) for s in skipped] == [
        (P3, "quantity_taken"),
        (P1, "quantity_taken"),
    ]


@pytest.mark.parametrize("now", [None, RequestNow(offerable=False, quantity=5, committed=0)])
def test_a_request_no_longer_open_gets_nothing(now):
    planned = [Assignment(R1, P1, 2, 0.5)]
    kept, skipped = still_fitting(planned, now)
    assert kept == [] and [s.code for s in skipped] == ["request_not_open"]


@given(
    st.lists(
        st.tuples(st.sampled_from([P1, P2, P3]), st.integers(1, 5), scores),
        unique_by=lambda t: t[0],
    ),
    st.integers(1, 12),
    st.integers(0, 12),
    st.lists(st.tuples(st.sampled_from([P1, P2, P3]), st.integers(1, 3), st.booleans())),
)
def test_what_is_applied_never_exceeds_what_is_free_or_what_was_assigned(
    planned, quantity, committed, offers
):
    assignments = [Assignment(R1, provider, q, score) for provider, q, score in planned]
    now = RequestNow(
        offerable=True,
        quantity=quantity,
        committed=min(committed, quantity),
        offers=tuple(LiveOffer(p, q, accepted=a) for p, q, a in offers),
    )

    kept, skipped = still_fitting(assignments, now)

    assert sum(a.quantity for a in kept) <= now.free
    by_provider = {a.provider: a for a in assignments}
    for a in kept:
        assert 0 < a.quantity <= by_provider[a.provider].quantity
        assert a.provider not in {offer.provider for offer in now.offers}
    assert {a.provider for a in kept} | {s.assignment.provider for s in skipped} == set(by_provider)
