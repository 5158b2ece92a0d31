"""Bodies of GET /v1/resource-requests/{id}/candidates."""

from __future__ import annotations

import uuid

from pydantic import Field

from service.domain.matching import CandidateSearch, Component, Filter
from service.domain.matching_guide import category_table, filter_table
from service.domain.requests import ProviderType
from service.schemas.common import Output


class ScorePart(Output):
    """One factor of a match score."""

    component: Component
    value: float = Field(description="How the provider does on this factor, 0 to 1.")
    weight: float = Field(description="The factor's share of the score (weights sum to 1).")
    contribution: float = Field(description="weight × value: what it adds to the score.")


class CandidateRead(Output):
    """A provider that can serve the request, and why it ranks where it does."""

    provider_type: ProviderType
    provider_id: uuid.UUID
    name: str
    capacity_left: int = Field(
        description="What it can still give, in the request's unit: what an offer to it may"
        " ask and its acceptance will honour. People and venues count the holds (live offers) in"
        " windows overlapping this one; funds and goods every hold, whatever its window."
    )
    distance_km: float | None = Field(
        description="Great-circle (haversine, WGS 84) distance from the request's place, in km:"
        " the figure the radius filter and the `distance` component use. Null when either place"
        " is unknown."
    )
    score: float = Field(description="Weighted mean of the components, 0 to 1.")
    components: list[ScorePart]


class FilterRemoval(Output):
    """How many providers of one type a hard filter removed."""

    provider_type: ProviderType
    filter: Filter = Field(description=f"The hard filter.\n\n{filter_table()}")
    removed: int = Field(
        description="How many providers of this type it took out of those the filters before"
        " it left."
    )


class CandidateList(Output):
    """Ranked candidates, with what the hard filters removed on the way (R19)."""

    request_id: uuid.UUID
    quantity_left: int
    candidates: list[CandidateRead]
    removed: list[FilterRemoval] = Field(
        description="Per provider type and filter, in the order applied; explains an empty list."
        f" Who can serve which category (the `kind` filter):\n\n{category_table()}"
    )


def candidate_list(found: CandidateSearch) -> CandidateList:
    """A candidate search as the API shows it."""
    return CandidateList(
        request_id=found.request_id,
        quantity_left=found.quantity_left,
        candidates=[
            CandidateRead(
                provider_type=ProviderType(candidate.provider_type),
                provider_id=candidate.provider_id,
                name=candidate.name,
                capacity_left=candidate.capacity_left,
                distance_km=None
                if candidate.distance_km is None
                else round(candidate.distance_km, 3),
                score=candidate.score.total,
                components=[
                    ScorePart(
                        component=part.component,
                        value=part.value,
                        weight=part.weight,
                        contribution=round(part.contribution, 6),
                    )
                    for part in candidate.score.parts
                ],
            )
            for candidate in found.candidates
        ],
        removed=[
            FilterRemoval(
                provider_type=ProviderType(count.provider_type),
                filter=count.filter,
                removed=count.removed,
            )
            for count in found.removed
        ],
    )
