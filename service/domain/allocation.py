"""Batch allocation: open requests × their candidates → the assignment of greatest total score.

The problem is a min-cost flow (issue 4: a proven solver, not hand-written matching):

    source ─(quantity left)→ request ─(arc capacity, cost −score)→ provider ─(capacity)→ sink

plus a zero-cost bypass from source to sink, so that flow is routed through a request and a
provider only where it scores. A unit of flow is one unit of the request's quantity (a person,
an hour, a yuan …); its cost is −round(score × 10⁶), so the cheapest flow is the assignment of
greatest Σ score × quantity. A provider's capacity is shared by every request it is a candidate
for, the request's quantity by every provider; both bound the flow.

The model is built from canonically sorted input (requests by id, providers by type and id,
arcs by request then provider), so the same input in any order gives the same model, and the
solver, being deterministic, the same assignment: which of several equally good assignments it
returns is fixed by that order of ids, never by the order the input came in.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

# The one exception to the domain's standard-library-only rule (tests/test_layers.py): the
# min-cost flow solver of OR-Tools. It is pure computation (no I/O), and issue 4 asks for a
# proven solver rather than hand-written matching. No other domain module may import it.
from ortools.graph.python.min_cost_flow import (  # type: ignore[import-untyped]
    SimpleMinCostFlow,
)

from service.domain.access import Caller, outside_binding
from service.domain.errors import Conflict
from service.domain.matching import Candidate
from service.domain.requests import quantity_left

SCORE_SCALE = 1_000_000  # scores in [0, 1] become integer unit costs of up to 10⁶

ProviderKey = tuple[str, uuid.UUID]  # (provider_type, provider_id)


class AllocationInputError(ValueError):
    """The input is inconsistent: an unknown request or provider, a duplicate, a bad number."""


class SolverFailed(RuntimeError):
    """The solver did not reach an optimum (it reports why)."""


@dataclass(frozen=True, slots=True)
class Demand:
    """An open request and how much of it is still to be found."""

    request_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class Arc:
    """A candidate provider of a request: how much it can give that request, and how well."""

    request_id: uuid.UUID
    provider: ProviderKey
    capacity: int
    score: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """Part of a request given to one provider."""

    request_id: uuid.UUID
    provider: ProviderKey
    quantity: int
    score: float


@dataclass(frozen=True, slots=True)
class Allocation:
    """The solution: assignments in canonical order, their value, and the solver's time."""

    assignments: tuple[Assignment, ...]
    total_score: float  # Σ score × quantity
    objective: int  # Σ weight(score) × quantity: what the solver maximised, exactly
    solver_seconds: float


def weight(score: float) -> int:
    """A score as the integer the solver works with (10⁶ steps)."""
    return round(score * SCORE_SCALE)


def _checked(
    demands: Iterable[Demand], arcs: Iterable[Arc], capacities: Mapping[ProviderKey, int]
) -> tuple[dict[int, int], list[Arc], dict[tuple[str, int], int]]:
    """The input, checked, keyed by plain integers (a UUID hashes and compares in Python code,
    its `int` in C: a tenth of the time on 40,000 arcs)."""
    quantities: dict[int, int] = {}
    for demand in demands:
        if demand.request_id.int in quantities:
            raise AllocationInputError(f"request {demand.request_id} is given twice")
        if demand.quantity < 0:
            raise AllocationInputError(f"request {demand.request_id} has a negative quantity")
        quantities[demand.request_id.int] = demand.quantity
    capacity_of: dict[tuple[str, int], int] = {}
    for (kind, provider_id), capacity in capacities.items():
        if capacity < 0:
            raise AllocationInputError(f"provider {kind} {provider_id} has a negative capacity")
        capacity_of[kind, provider_id.int] = capacity
    seen: set[tuple[int, str, int]] = set()
    checked: list[Arc] = []
    for arc in arcs:
        request, provider = arc.request_id.int, (arc.provider[0], arc.provider[1].int)
        if request not in quantities:
            raise AllocationInputError(f"an arc names an unknown request {arc.request_id}")
        if provider not in capacity_of:
            raise AllocationInputError(f"an arc names an unknown provider {arc.provider}")
        if (request, *provider) in seen:
            raise AllocationInputError(
                f"provider {arc.provider} is a candidate of request {arc.request_id} twice"
            )
        if arc.capacity < 0:
            raise AllocationInputError("an arc has a negative capacity")
        if not (math.isfinite(arc.score) and 0.0 <= arc.score <= 1.0):
            raise AllocationInputError(f"a score must lie in [0, 1], not {arc.score}")
        seen.add((request, *provider))
        checked.append(arc)
    return quantities, checked, capacity_of


def allocate(
    demands: Iterable[Demand],
    arcs: Iterable[Arc],
    capacities: Mapping[ProviderKey, int],
) -> Allocation:
    """The assignment of greatest total score within every quantity and capacity.

    Arcs whose score rounds to 0 are never used: they would add nothing but an offer.
    """
    started = time.perf_counter()
    quantities, checked, capacity_of = _checked(demands, arcs, capacities)
    # (request, provider type, provider, arc): the canonical order, in integers.
    keyed = sorted(
        (
            (arc.request_id.int, arc.provider[0], arc.provider[1].int, arc)
            for arc in checked
            if arc.capacity > 0
            and weight(arc.score) > 0
            and quantities[arc.request_id.int] > 0
            and capacity_of[arc.provider[0], arc.provider[1].int] > 0
        ),
        key=lambda item: item[:3],
    )
    if not keyed:
        return Allocation((), 0.0, 0, time.perf_counter() - started)

    requests = sorted({request for request, _, _, _ in keyed})
    providers = sorted({(kind, provider) for _, kind, provider, _ in keyed})
    source, sink = 0, 1
    request_node = {request: 2 + index for index, request in enumerate(requests)}
    provider_node = {key: 2 + len(requests) + index for index, key in enumerate(providers)}

    # What can flow into a request or out of a provider at most: capacities as small as can be.
    reachable_in = dict.fromkeys(requests, 0)
    reachable_out = dict.fromkeys(providers, 0)
    arc_capacity: list[int] = []
    for request, kind, provider, arc in keyed:
        capacity = min(arc.capacity, quantities[request], capacity_of[kind, provider])
        arc_capacity.append(capacity)
        reachable_in[request] += capacity
        reachable_out[kind, provider] += capacity

    flow = SimpleMinCostFlow()
    supply = 0
    for request in requests:
        capacity = min(quantities[request], reachable_in[request])
        flow.add_arc_with_capacity_and_unit_cost(source, request_node[request], capacity, 0)
        supply += capacity
    assignment_arcs = [
        flow.add_arc_with_capacity_and_unit_cost(
            request_node[request], provider_node[kind, provider], capacity, -weight(arc.score)
        )
        for (request, kind, provider, arc), capacity in zip(keyed, arc_capacity, strict=True)
    ]
    for key in providers:
        capacity = min(capacity_of[key], reachable_out[key])
        flow.add_arc_with_capacity_and_unit_cost(provider_node[key], sink, capacity, 0)
    flow.add_arc_with_capacity_and_unit_cost(source, sink, supply, 0)  # what is left unassigned
    flow.set_node_supply(source, supply)
    flow.set_node_supply(sink, -supply)

    status = flow.solve()
    if status != SimpleMinCostFlow.OPTIMAL:
        raise SolverFailed(f"the min-cost flow solver stopped with status {status.name}")

    assignments = tuple(
        Assignment(arc.request_id, arc.provider, quantity, arc.score)
        for (_, _, _, arc), index in zip(keyed, assignment_arcs, strict=True)
        if (quantity := flow.flow(index)) > 0
    )
    return Allocation(
        assignments=assignments,
        total_score=round(math.fsum(a.score * a.quantity for a in assignments), 6),
        objective=-flow.optimal_cost(),
        solver_seconds=time.perf_counter() - started,
    )


def provider_capacities(offered: Iterable[tuple[ProviderKey, int]]) -> dict[ProviderKey, int]:
    """A provider's capacity for a whole run, from the capacity left it showed each request.

    Capacity left can differ between requests (holds in overlapping windows), so the largest
    seen is what the provider has at most; each request's own figure still bounds its arc.
    """
    capacities: dict[ProviderKey, int] = {}
    for key, capacity in offered:
        capacities[key] = max(capacities.get(key, 0), max(0, capacity))
    return capacities


def candidate_arcs(
    candidates: Mapping[uuid.UUID, Sequence[Candidate]],
) -> tuple[list[Arc], dict[ProviderKey, int]]:
    """The arcs and provider capacities of a run, from each request's candidates.

    An arc's capacity is what the provider can give that request; a provider's capacity for
    the run is the most it showed any request (see `provider_capacities`).
    """
    arcs = [
        Arc(
            request_id,
            (candidate.provider_type, candidate.provider_id),
            max(0, candidate.capacity_left),
            min(1.0, max(0.0, candidate.score.total)),
        )
        for request_id, found in candidates.items()
        for candidate in found
    ]
    return arcs, provider_capacities((arc.provider, arc.capacity) for arc in arcs)


class RunStatus(StrEnum):
    """Where an allocation run stands."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    APPLIED = "applied"


@dataclass(frozen=True, slots=True)
class RunFilter:
    """Which runs a listing shows."""

    status: RunStatus | None = None
    district_code: str | None = None


def check_may_allocate(caller: Caller) -> None:
    """Batch allocation spans stations: only the bureau's (unbound) clients run or apply it."""
    if not caller.may_allocate():
        raise outside_binding(caller, "batch allocation, which spans stations")


def check_applicable(status: RunStatus) -> None:
    """A run is applied once, and only when it has succeeded."""
    if status is RunStatus.APPLIED:
        raise Conflict(
            "the allocation run has been applied already",
            code="allocation_run_applied",
            extra={"current_status": status.value},
        )
    if status is not RunStatus.SUCCEEDED:
        raise Conflict(
            f"only a succeeded allocation run can be applied; this one is {status.value}",
            code="allocation_run_not_succeeded",
            extra={"current_status": status.value},
        )


# --- Applying a run: what of its assignments still fits ------------------------------------------


@dataclass(frozen=True, slots=True)
class Skipped:
    """An assignment left out when a run was applied, and why (a stable code)."""

    assignment: Assignment
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class LiveOffer:
    """An offer of a request that is still live when its run is applied."""

    provider: ProviderKey
    quantity: int
    accepted: bool  # accepted offers are in the committed quantity; proposals hold on top


@dataclass(frozen=True, slots=True)
class RequestNow:
    """A request as it stands when its run is applied."""

    offerable: bool  # still taking offers: open or partially committed, window not over
    quantity: int
    committed: int
    offers: tuple[LiveOffer, ...] = ()

    @property
    def free(self) -> int:
        """Neither committed nor held by a live proposal."""
        proposed = (offer.quantity for offer in self.offers if not offer.accepted)
        return quantity_left(self.quantity, [self.committed, *proposed])


def still_fitting(
    assignments: Sequence[Assignment], request: RequestNow | None
) -> tuple[list[Assignment], list[Skipped]]:
    """A request's assignments as they fit now: none if it takes no offers any more; else best
    score first, each cut to what is still free, a provider holding an offer for it skipped."""
    if request is None or not request.offerable:
        reason = "the request is no longer open for offers"
        return [], [Skipped(a, "request_not_open", reason) for a in assignments]
    offered_already = {offer.provider for offer in request.offers}
    free = request.free
    kept: list[Assignment] = []
    skipped: list[Skipped] = []
    for assignment in sorted(
        assignments, key=lambda a: (-a.score, a.provider[0], a.provider[1].int)
    ):
        if assignment.provider in offered_already:
            reason = "the provider holds an offer for this request already"
            skipped.append(Skipped(assignment, "already_offered", reason))
        elif free <= 0:
            reason = "what the run assigned has been committed or offered since"
            skipped.append(Skipped(assignment, "quantity_taken", reason))
        else:
            quantity = min(assignment.quantity, free)
            kept.append(
                Assignment(assignment.request_id, assignment.provider, quantity, assignment.score)
            )
            free -= quantity
    return kept, skipped
