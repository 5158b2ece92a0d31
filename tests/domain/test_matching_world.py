"""A small matching world with its answer written out: every candidate's components, total and
place, worked out by hand once (the arithmetic is in the comments) with the default weights.

Every candidate holds every required skill and lies well within any radius, so the world keeps
its meaning when the hard filters change; what it pins is the scoring and the ranking.
"""

from __future__ import annotations

import uuid

from service.domain.geo import Point
from service.domain.matching import (
    Candidate,
    ProviderFacts,
    RequestFacts,
    rank,
    score,
)

# 北山街道's 宝石山社区 (330106002001), by the West Lake; four people wanted, two skills.
REQUEST = RequestFacts(
    required_skills=frozenset({"home_visits", "companionship"}),
    quantity=4,
    division_code="330106002001",
    location=Point(30.2466, 120.1620),
)
SKILLS = frozenset({"home_visits", "companionship", "first_aid"})
# 0.009° due north: a meridian arc, 6371.0088 km × 0.009 × π/180 = 1.000756 km.
NORTH_1KM = Point(30.2556, 120.1620)

PROVIDERS = {
    # on the spot, room for all four, 2 rated outcomes summing 2.0, one open commitment,
    # linked with the station, serving the township itself
    ("volunteer", uuid.UUID(int=1)): ProviderFacts(
        SKILLS, 4, ("330106002",), Point(30.2466, 120.1620), 2, 2.0, 1, True
    ),
    # no location, room for two, a newcomer, idle, not linked, serving the district
    ("volunteer", uuid.UUID(int=2)): ProviderFacts(SKILLS, 2, ("330106",)),
    # the same facts as the one above, but an organisation: the tie goes to the provider type
    ("organisation", uuid.UUID(int=3)): ProviderFacts(SKILLS, 2, ("330106",)),
    # 1 km north, room for one, 1 rated outcome of 0, three open commitments, linked,
    # serving another district
    ("volunteer", uuid.UUID(int=4)): ProviderFacts(
        SKILLS, 1, ("330102",), NORTH_1KM, 1, 0.0, 3, True
    ),
}

# Weights: skill 0.30, distance 0.15, headroom 0.10, reliability 0.20, fairness 0.10,
# linkage 0.10, proximity 0.05 (they sum to 1: the shares are the weights).
#   skill coverage  2 of 2 required held                      → 1 for everyone
#   distance        exp(−d / 5 km): on the spot 1; unknown 0.5; 1.000756 km → exp(−0.200151)
#                   = 0.818607
#   headroom        min(1, capacity left / 4): 4 → 1, 2 → 0.5, 1 → 0.25
#   reliability     (0.7 × 3 + sum) / (3 + outcomes): (2.1 + 2) / 5 = 0.82; newcomer 2.1 / 3 = 0.7;
#                   (2.1 + 0) / 4 = 0.525
#   fairness        3 / (3 + open): 0 → 1, 1 → 0.75, 3 → 0.5
#   proximity       the township itself 1, its district 0.5, another district 0
# #1: 0.30 + 0.15 + 0.10 + 0.164 + 0.075 + 0.10 + 0.05                  = 0.939
# #4: 0.30 + 0.15 × 0.818607 + 0.025 + 0.105 + 0.05 + 0.10 + 0         = 0.702791
# #2, #3: 0.30 + 0.075 + 0.05 + 0.14 + 0.10 + 0 + 0.025                 = 0.69
WEIGHTS = (0.3, 0.15, 0.1, 0.2, 0.1, 0.1, 0.05)
EXPECTED = [
    ("volunteer", 1, 0.939, (1.0, 1.0, 1.0, 0.82, 0.75, 1.0, 1.0)),
    ("volunteer", 4, 0.702791, (1.0, 0.818607, 0.25, 0.525, 0.5, 1.0, 0.0)),
    ("organisation", 3, 0.69, (1.0, 0.5, 0.5, 0.7, 1.0, 0.0, 0.5)),
    ("volunteer", 2, 0.69, (1.0, 0.5, 0.5, 0.7, 1.0, 0.0, 0.5)),
]
COMPONENTS = (
    "skill_coverage",
    "distance",
    "capacity_headroom",
    "reliability",
    "fairness",
    "linkage",
    "proximity",
)


def ranked() -> list[Candidate]:
    candidates = [
        Candidate(kind, provider_id, "", facts.capacity_left, score(REQUEST, facts))
        for (kind, provider_id), facts in PROVIDERS.items()
    ]
    return rank(candidates, limit=10)


def test_the_world_ranks_as_worked_out_by_hand():
    assert [(c.provider_type, c.provider_id.int, c.score.total) for c in ranked()] == [
        (kind, number, total) for kind, number, total, _ in EXPECTED
    ]


def test_every_component_value_and_weight_is_as_worked_out_by_hand():
    for candidate, (_, _, total, values) in zip(ranked(), EXPECTED, strict=True):
        parts = candidate.score.parts
        assert [(str(p.component), p.value, p.weight) for p in parts] == list(
            zip(COMPONENTS, values, WEIGHTS, strict=True)
        )
        assert round(sum(p.contribution for p in parts), 6) == total


def test_a_limit_keeps_the_best():
    assert [c.provider_id.int for c in rank(ranked(), limit=2)] == [1, 4]
