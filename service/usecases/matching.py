"""Matching: the providers that can serve a request, ranked, with their reasons (R19)."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from service.db.reader import Reader, Row
from service.db.repositories.candidates import (
    Judgement,
    Need,
    Shape,
    best,
    best_for_each,
    judge,
    registry_totals,
)
from service.db.tables import ResourceRequestRecord, table
from service.domain.access import Caller, PersonKind
from service.domain.capacity import ONE_PERSON
from service.domain.errors import Conflict, NotFound, a
from service.domain.fulfilment import OFFERABLE
from service.domain.geo import Point
from service.domain.matching import (
    Availability,
    Candidate,
    CandidateSearch,
    Filter,
    FilterCount,
    ProviderFacts,
    RequestFacts,
    Weights,
    rank,
    score,
    touched_weekdays,
)
from service.domain.offerings import QuantityUnit, ServiceCategory
from service.domain.requests import PROVIDERS_FOR, ProviderType, RequestStatus
from service.usecases.common import Services
from service.usecases.disclosure import disclosure
from service.usecases.request_access import check_station_side

request_table = table(ResourceRequestRecord)

PRE_RANK_FACTOR = 3  # survivors fetched per registry, per candidate asked for
PRE_RANK_FLOOR = 50


def _facts(row: Row) -> ProviderFacts:
    outcomes = int(row["outcomes"] or 0)
    location = (
        Point(row["lat"], row["lon"]) if row["lat"] is not None and row["lon"] is not None else None
    )
    return ProviderFacts(
        skills=frozenset(row["skills"] or ()),
        capacity_left=int(row["capacity_left"]),
        service_area=tuple(row["service_area"] or ()),
        location=location,
        outcomes=outcomes,
        # ratings 1–5 scaled to 0–1: (rating − 1) / 4, summed
        outcome_sum=(int(row["rating_sum"] or 0) - outcomes) / 4,
        open_commitments=int(row["open_commitments"] or 0),
        linked_with_station=bool(row["linked"]),
        distance_km=None if row.get("distance_km") is None else float(row["distance_km"]),
    )


async def load_request(reader: Reader, request_id: uuid.UUID, caller: Caller) -> Row:
    """The request, if the caller acts for its station (404 if it cannot see it, 403 if it sees
    it as a provider)."""
    row = await reader.fetch_one(select(request_table).where(request_table.c.id == request_id))
    if row is None:
        raise NotFound(f"no resource request with id {request_id}")
    await check_station_side(reader, caller, request_id=request_id, station_id=row["station_id"])
    return row


def need_of(row: Row, services: Services) -> Need:
    """The request as the hard filters see it."""
    return Need(
        request_id=row["id"],
        station_id=row["station_id"],
        category=ServiceCategory(row["category"]),
        unit=QuantityUnit(row["unit"]),
        quantity=row["quantity"] - row["committed_quantity"],
        division_code=row["division_code"],
        required_skills=tuple(row["required_skills"]),
        preferred_skills=tuple(row.get("preferred_skills") or ()),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        lat=row["lat"],
        lon=row["lon"],
        weekdays=tuple(touched_weekdays(row["starts_at"], row["ends_at"])),
        now=services.clock(),
        radius_km=services.match_radius_km,
    )


_TOTALS: dict[tuple[ProviderType, ServiceCategory], tuple[float, tuple[int, int, int]]] = {}


async def _totals(
    reader: Reader, services: Services, provider_type: ProviderType, need: Need
) -> tuple[int, int, int]:
    """Registry sizes, reused for `match_totals_cache_seconds`: counting a registry of 100,000
    volunteers on every search would cost more than the search."""
    key = (provider_type, need.category)
    now = time.monotonic()
    cached = _TOTALS.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    totals = await registry_totals(reader, provider_type, need)
    if services.match_totals_cache_seconds > 0:
        _TOTALS[key] = (now + services.match_totals_cache_seconds, totals)
    return totals


async def search(
    reader: Reader,
    services: Services,
    row: Row,
    *,
    limit: int,
    counted: bool = True,
    only: tuple[ProviderType, uuid.UUID] | None = None,
) -> CandidateSearch:
    """Candidates of every registry that can serve the request's category, ranked; with how
    many each hard filter removed unless `counted` is false (a batch allocation's search).

    `only` asks about one provider: the answer is it, if it passes every hard filter, or
    nobody (nothing is counted)."""
    need = need_of(row, services)
    registries = sorted(PROVIDERS_FOR[need.category])
    if only is not None:
        counted = False
        need = dataclasses.replace(need, only=only[1])
        registries = [only[0]] if only[0] in registries else []
    scoring = Scoring.of(need, Weights.of(services.match_weights))
    found: list[Candidate] = []
    removed: list[FilterCount] = []
    fetch = max(limit * PRE_RANK_FACTOR, PRE_RANK_FLOOR)
    for provider_type in registries:
        if counted:
            totals = await _totals(reader, services, provider_type, need)
            judgement = await judge(reader, provider_type, need, totals=totals, limit=fetch)
        else:
            survivors = await best(reader, provider_type, need, limit=fetch)
            judgement = Judgement(removed=dict.fromkeys(Filter, 0), survivors=survivors)
        counts = judgement.removed
        found += scoring.candidates(provider_type, judgement.survivors, counts)
        if counted:
            removed += [FilterCount(provider_type.value, name, counts[name]) for name in Filter]
    return CandidateSearch(
        request_id=need.request_id,
        quantity_left=need.quantity,
        candidates=rank(found, limit),
        removed=removed,
    )


async def search_each(
    reader: Reader, services: Services, rows: Sequence[Row], *, limit: int
) -> dict[uuid.UUID, list[Candidate]]:
    """The best `limit` candidates of each of many requests, exactly as `search(…,
    counted=False)` finds them one by one; on PostgreSQL with one statement per registry and
    request shape for all of them (`best_for_each`)."""
    needs = [need_of(row, services) for row in rows]
    fetch = max(limit * PRE_RANK_FACTOR, PRE_RANK_FLOOR)
    survivors: dict[tuple[uuid.UUID, ProviderType], list[Row]] = {}
    if services.database.engine.dialect.name == "postgresql":  # unnest and LATERAL
        groups: dict[tuple[ProviderType, Shape], list[Need]] = {}
        for need in needs:
            for provider_type in PROVIDERS_FOR[need.category]:
                groups.setdefault((provider_type, Shape.of(need)), []).append(need)
        for (provider_type, _), members in groups.items():
            found = await best_for_each(reader, provider_type, members, limit=fetch)
            survivors |= {(request, provider_type): rows_of for request, rows_of in found.items()}
    else:
        for need in needs:
            for provider_type in PROVIDERS_FOR[need.category]:
                survivors[need.request_id, provider_type] = await best(
                    reader, provider_type, need, limit=fetch
                )
    weights, ranked = Weights.of(services.match_weights), {}
    for need in needs:
        scoring, uncounted = Scoring.of(need, weights), dict.fromkeys(Filter, 0)
        found_for = [
            candidate
            for provider_type in sorted(PROVIDERS_FOR[need.category])
            for candidate in scoring.candidates(
                provider_type, survivors[need.request_id, provider_type], uncounted
            )
        ]
        ranked[need.request_id] = rank(found_for, limit)
    return ranked


@dataclass(frozen=True, slots=True)
class Scoring:
    """How one request scores the survivors of the hard filters: worked out once per request."""

    need: Need
    wanted: RequestFacts
    weights: Weights
    availability: Availability

    @classmethod
    def of(cls, need: Need, weights: Weights) -> Scoring:
        """The scoring of a request, with the service's weights (normalised once)."""
        located = None if need.lat is None or need.lon is None else Point(need.lat, need.lon)
        return cls(
            need=need,
            wanted=RequestFacts(
                required_skills=frozenset(need.required_skills),
                quantity=need.quantity,
                division_code=need.division_code,
                location=located,
                preferred_skills=frozenset(need.preferred_skills),
            ),
            weights=weights,
            availability=Availability.of(need.starts_at, need.ends_at),
        )

    def candidates(
        self, provider_type: ProviderType, survivors: Sequence[Row], counts: dict[Filter, int]
    ) -> list[Candidate]:
        """The survivors as scored candidates; a volunteer whose slots miss the window by the
        hour (SQL checks the weekday) is counted as removed by availability instead."""
        kind, has_slots = provider_type.value, provider_type in ONE_PERSON
        found = []
        for row in survivors:
            # a person's slots must cover the window whole (SQL checked the weekdays only);
            # a social worker who states no availability serves any time
            if (
                has_slots
                and row["weekly_availability"] is not None
                and not self.availability.admits(
                    row["weekly_availability"], row["availability_exceptions"] or []
                )
            ):
                counts[Filter.AVAILABILITY] += 1
                continue
            facts = _facts(row)
            found.append(
                Candidate(
                    provider_type=kind,
                    provider_id=row["provider_id"],
                    name=row["name"],
                    capacity_left=min(int(row["capacity_left"]), self.need.quantity),
                    score=score(self.wanted, facts, self.weights),
                    distance_km=facts.distance_km,
                )
            )
        return found


async def find_candidates(
    services: Services, *, request_id: uuid.UUID, limit: int, caller: Caller
) -> CandidateSearch:
    """The best `limit` providers for a request that is still open, with their reasons."""
    async with services.database.read() as reader:
        row = await load_request(reader, request_id, caller)
        status = RequestStatus(row["status"])
        if status not in OFFERABLE:
            raise Conflict(
                f"{a(status)} request is not matched any more",
                code="request_not_open",
                extra={"current_status": status.value},
            )
        found = await search(reader, services, row, limit=limit)
        return await _names_shown(reader, services, caller, found)


async def _names_shown(
    reader: Reader, services: Services, caller: Caller, found: CandidateSearch
) -> CandidateSearch:
    """The candidates as the caller may see them: persons' names masked unless it may read them."""
    natural = {kind.value: kind for kind in PersonKind.natural()}
    persons = [
        (natural[c.provider_type], c.provider_id)
        for c in found.candidates
        if c.provider_type in natural
    ]
    shown = await disclosure(reader, caller, persons, now=services.clock())
    return dataclasses.replace(
        found,
        candidates=[
            dataclasses.replace(c, name=shown.name(natural[c.provider_type], c.provider_id, c.name))
            if c.provider_type in natural
            else c
            for c in found.candidates
        ],
    )
