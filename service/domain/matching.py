"""Explainable matching: how well a provider fits a resource request, factor by factor.

A score is a weighted mean of components in [0, 1]. Every component reports its value, its
weight and its contribution, so a station sees why a provider ranks where it does (DESIGN §4).
Hard filters (kind, status, area, availability, capacity, qualification, skills) are applied
before scoring, in SQL, but for whether a person's slots cover the window whole (`Availability`,
judged on the rows SQL returns); this module ranks what passed them.
"""

from __future__ import annotations

import math
import operator
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from service.domain.geo import Point, distance_km
from service.domain.hangzhou_time import HANGZHOU, MAX_DAYS, day_portions, window_days
from service.domain.hangzhou_time import touched_weekdays as hangzhou_touched_weekdays


class Component(StrEnum):
    """The factors of a match score."""

    SKILL_COVERAGE = "skill_coverage"
    DISTANCE = "distance"
    CAPACITY_HEADROOM = "capacity_headroom"
    RELIABILITY = "reliability"
    FAIRNESS = "fairness"
    LINKAGE = "linkage"
    PROXIMITY = "proximity"


DEFAULT_WEIGHTS: Mapping[Component, float] = {
    Component.SKILL_COVERAGE: 0.30,
    Component.DISTANCE: 0.15,
    Component.CAPACITY_HEADROOM: 0.10,
    Component.RELIABILITY: 0.20,
    Component.FAIRNESS: 0.10,
    Component.LINKAGE: 0.10,
    Component.PROXIMITY: 0.05,
}

DISTANCE_SCALE_KM = 5.0  # a provider this far away scores 1/e on distance
UNKNOWN = 0.5  # a factor nobody can measure neither helps nor hurts much
RELIABILITY_PRIOR = 0.7  # what a newcomer is assumed to deliver …
RELIABILITY_PRIOR_WEIGHT = 3.0  # … worth this many observed outcomes
FAIRNESS_SCALE = 3.0  # open commitments at which fairness falls to one half


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the scoring needs to know about a request."""

    required_skills: frozenset[str]
    quantity: int
    division_code: str
    location: Point | None = None
    preferred_skills: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ProviderFacts:
    """What the scoring needs to know about a provider that passed the hard filters."""

    skills: frozenset[str]
    capacity_left: int
    service_area: tuple[str, ...] = ()
    location: Point | None = None
    outcomes: int = 0  # completed offers that were rated
    outcome_sum: float = 0.0  # sum of their ratings, each scaled to [0, 1]
    open_commitments: int = 0  # accepted offers not yet completed
    linked_with_station: bool = False
    distance_km: float | None = None  # as the radius filter measured it (SQL), if known


class Part(NamedTuple):
    """One factor of a score: its value in [0, 1], its weight, and what it adds."""

    component: Component
    value: float
    weight: float

    @property
    def contribution(self) -> float:
        """weight × value, the share of the total this factor accounts for."""
        return self.weight * self.value


@dataclass(frozen=True, slots=True)
class Score:
    """A match score: the weighted sum of its components' values, rounded to 10⁻⁶.

    Every provider that passes the hard filters is scored, so the explanation is kept as the
    bare values and weights (in the order of `Component`) and made into parts only when it is
    shown, for the few candidates that are.
    """

    total: float
    values: tuple[float, ...]
    weights: tuple[float, ...]

    @property
    def parts(self) -> tuple[Part, ...]:
        """Each component's value (rounded to 10⁻⁶), weight and contribution."""
        return tuple(
            Part(component, round(value, 6), weight)
            for component, value, weight in zip(Component, self.values, self.weights, strict=False)
        )


def skill_coverage(required: frozenset[str], offered: frozenset[str]) -> float:
    """Share of the required skills the provider has (all of none required: 1)."""
    if not required:
        return 1.0
    return len(required & offered) / len(required)


def distance_value(
    request: Point | None, provider: Point | None, measured: float | None = None
) -> float:
    """exp(−d / 5 km): 1 on the spot, 0.37 at 5 km, 0.02 at 20 km; unknown is neutral.

    `measured` is the distance the radius filter used (great-circle, in SQL): the component
    scores that very figure when it is given."""
    if measured is not None:
        return math.exp(-max(0.0, measured) / DISTANCE_SCALE_KM)
    if request is None or provider is None:
        return UNKNOWN
    return math.exp(-distance_km(request, provider) / DISTANCE_SCALE_KM)


def headroom(capacity_left: int, quantity: int) -> float:
    """How comfortably the provider covers the request: 1 when it can cover it all."""
    if quantity <= 0:
        return 1.0
    return min(1.0, max(0, capacity_left) / quantity)


def reliability(outcomes: int, outcome_sum: float) -> float:
    """Past outcomes shrunk towards a prior, so newcomers are not starved (Bayesian mean)."""
    return (RELIABILITY_PRIOR * RELIABILITY_PRIOR_WEIGHT + outcome_sum) / (
        RELIABILITY_PRIOR_WEIGHT + outcomes
    )


def fairness(open_commitments: int) -> float:
    """1 for an idle provider, ½ at three open commitments: spread the work around."""
    return FAIRNESS_SCALE / (FAIRNESS_SCALE + max(0, open_commitments))


def proximity(request_division: str, service_area: Sequence[str]) -> float:
    """1 for a provider whose area lies in (or is) the request's township, ½ for one in its
    district, 0 for one that serves it only from further away (a city-wide charity, say)."""
    township, district = request_division[:9], request_division[:6]
    if len(request_division) >= 9 and any(code.startswith(township) for code in service_area):
        return 1.0
    if any(len(code) >= 6 and code.startswith(district) for code in service_area):
        return 0.5
    return 0.0


COMPONENTS = tuple(Component)  # the order of a score's parts


@dataclass(frozen=True, slots=True)
class Weights:
    """Each component's weight as a share of their sum (rounded to 10⁻⁶), in component order:
    normalised once for a whole search, not per provider scored."""

    shares: tuple[float, ...]

    @classmethod
    def of(cls, weights: Mapping[Component, float]) -> Weights:
        """Normalise raw weights; at least one must be positive."""
        total = sum(weights.get(component, 0.0) for component in COMPONENTS)
        if total <= 0:
            raise ValueError("at least one weight must be positive")
        return cls(tuple(round(weights.get(c, 0.0) / total, 6) for c in COMPONENTS))


def score(
    request: RequestFacts,
    provider: ProviderFacts,
    weights: Weights | Mapping[Component, float] = DEFAULT_WEIGHTS,
) -> Score:
    """The weighted mean of every component, with each one's value, weight and contribution."""
    shares = weights if isinstance(weights, Weights) else Weights.of(weights)
    values = (  # in the order of COMPONENTS
        skill_coverage(request.required_skills | request.preferred_skills, provider.skills),
        distance_value(request.location, provider.location, provider.distance_km),
        headroom(provider.capacity_left, request.quantity),
        reliability(provider.outcomes, provider.outcome_sum),
        fairness(provider.open_commitments),
        1.0 if provider.linked_with_station else 0.0,
        proximity(request.division_code, provider.service_area),
    )
    total = round(sum(map(operator.mul, values, shares.shares)), 6)
    return Score(total, values, shares.shares)


class Filter(StrEnum):
    """The hard filters of matching, in the order they are applied."""

    KIND = "kind"  # the provider can serve the request's category
    ACTIVE = "active"  # the provider takes part in the network now
    AREA = "area"  # its service area covers the request's division, or it is within the radius
    AVAILABILITY = "availability"  # a person's slots and exceptions cover the whole window
    CAPACITY = "capacity"  # it has capacity left in the request's unit
    QUALIFICATION = "qualification"  # certification or supervision where the category needs it
    SKILLS = "skills"  # it holds every required skill (registries that record skills)


@dataclass(frozen=True, slots=True)
class FilterCount:
    """How many providers of one type a filter removed."""

    provider_type: str
    filter: Filter
    removed: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A provider that passed every hard filter, with its score and what it can give."""

    provider_type: str
    provider_id: uuid.UUID
    name: str
    capacity_left: int
    score: Score
    distance_km: float | None = None


@dataclass(frozen=True, slots=True)
class CandidateSearch:
    """Ranked candidates for a request, and how many each filter removed."""

    request_id: uuid.UUID
    quantity_left: int
    candidates: list[Candidate]
    removed: list[FilterCount]


def rank(candidates: list[Candidate], limit: int) -> list[Candidate]:
    """Best first; ties broken by provider type and id, so a ranking is reproducible."""
    ordered = sorted(
        candidates, key=lambda c: (-c.score.total, c.provider_type, str(c.provider_id))
    )
    return ordered[:limit]


# Hangzhou's calendar lives in service/domain/hangzhou_time.py; these names stay for callers.
CHINA_TIME = HANGZHOU


def local_days(starts_at: datetime, ends_at: datetime) -> list[date]:
    """The Hangzhou dates a window touches, first to last, at most a week of them."""
    return window_days(starts_at, ends_at)[:MAX_DAYS]


touched_weekdays = hangzhou_touched_weekdays

END_OF_DAY = "24:00"


def _slot_end(end: str) -> str:
    """A slot's end as a comparable `HH:MM`; one ending at 23:59 runs to midnight."""
    return END_OF_DAY if end >= "23:59" else end


def covered(slots: Sequence[tuple[str, str]], begins: str, finishes: str) -> bool:
    """Whether the union of the slots (local `HH:MM` pairs) covers [begins, finishes) whole;
    slots that meet or overlap join up, a gap of a minute does not."""
    reached = begins
    for start, end in sorted(slots):
        if start > reached:
            break
        reached = max(reached, _slot_end(end))
        if reached >= finishes:
            return True
    return reached >= finishes


@dataclass(frozen=True, slots=True)
class Availability:
    """The availability test of one request window, worked out once for every person.

    The window is cut at Hangzhou midnights (22:00 Monday to 02:00 Tuesday is Monday
    22:00–24:00 and Tuesday 00:00–02:00), and each day's part must be covered whole: by a date
    exception making that day available (the whole day), or else – unless an exception makes
    the day unavailable – by the weekly slots of its weekday, joined where they meet.
    """

    weekdays: frozenset[int]
    portions: tuple[tuple[str, int, str, str], ...]  # (date, ISO weekday, begins, finishes)

    @classmethod
    def of(cls, starts_at: datetime, ends_at: datetime) -> Availability:
        """The test for the window [starts_at, ends_at)."""
        portions = tuple(
            (day.isoformat(), day.isoweekday(), begins, finishes)
            for day, begins, finishes in day_portions(starts_at, ends_at)
        )
        return cls(frozenset(weekday for _, weekday, _, _ in portions), portions)

    def admits(
        self, weekly: Sequence[Mapping[str, object]], exceptions: Sequence[Mapping[str, object]]
    ) -> bool:
        """Whether a person with these weekly slots and date exceptions can serve the window."""
        by_date = {str(e.get("date")): bool(e.get("available")) for e in exceptions}
        for day, weekday, begins, finishes in self.portions:
            if day in by_date:
                if by_date[day]:
                    continue
                return False
            slots = [
                (str(slot.get("start")), str(slot.get("end")))
                for slot in weekly
                if slot.get("weekday") == weekday
            ]
            if not covered(slots, begins, finishes):
                return False
        return True
