"""Use cases of offers: read them, and make them – to named providers, to the top-ranked
candidates, or (for the allocation runs) to whatever providers a caller proposes."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import SqlAlchemyReader
from service.db.repositories.keyset import encode_key
from service.db.repositories.offers import (
    OfferRepository,
    add,
    live_offers_to,
    providers_for_update,
    request_for_update,
)
from service.db.tables import OfferRecord, ResourceRequestRecord
from service.domain.access import Caller
from service.domain.errors import Conflict, FieldProblem, NotFound, RuleViolation, rule_violation
from service.domain.fulfilment import (
    OfferFilter,
    check_request_offerable,
    explanation_rows,
    hold_until,
    sees_offer,
)
from service.domain.matching import Candidate, CandidateSearch
from service.domain.requests import OfferStatus, Proposal, ProviderType, RequestStatus
from service.schemas.encoding import View
from service.schemas.offers import (
    OfferBatch,
    OfferBatchCreate,
    OfferRead,
    ProviderChoice,
    offer_read,
    offer_view,
)
from service.usecases.common import KeysetPage, Services
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once
from service.usecases.matching import load_request, search
from service.usecases.request_access import check_station_side


# How many ranked candidates a named provider is looked for among (matching ranks survivors).
def not_found(offer_id: uuid.UUID) -> NotFound:
    """The 404 of an offer that does not exist or that the caller may not see."""
    return NotFound(f"no offer with id {offer_id}")


async def representation(session: AsyncSession, offer_id: uuid.UUID, now: datetime) -> OfferRead:
    """The offer as the API shows it, read in the unit of work that changed it."""
    row = await OfferRepository(SqlAlchemyReader(session)).get(offer_id)
    if row is None:  # pragma: no cover - written in this unit of work
        raise not_found(offer_id)
    return offer_read(row, now=now)


async def get_offer(services: Services, *, caller: Caller, offer_id: uuid.UUID) -> View[OfferRead]:
    """One offer, if the caller is its station's (or unbound) or speaks for its provider."""
    async with services.database.read() as reader:
        row = await OfferRepository(reader).get(offer_id)
    if row is None or not sees_offer(
        caller,
        station_id=row["station_id"],
        provider_organisation_id=row["provider_organisation_id"],
    ):
        raise not_found(offer_id)
    return offer_view(row, now=services.clock())


async def list_offers(
    services: Services, *, caller: Caller, where: OfferFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of offers in the order they were made, as the values OfferRead shows; a bound
    client sees its own only."""
    where = dataclasses.replace(
        where, visible_to_station=caller.station_id, visible_to_organisation=caller.organisation_id
    )
    now = services.clock()
    async with services.database.read() as reader:
        rows = await OfferRepository(reader).list(where, now=now, key=after, limit=limit + 1)
    return KeysetPage.of(
        [offer_view(row, now=now).values for row in rows],
        limit=limit,
        key=lambda offer: encode_key(offer["created_at"].isoformat(), offer["id"]),
    )


# --- Making offers ------------------------------------------------------------------------------


async def propose_offers(
    session: AsyncSession,
    services: Services,
    *,
    request: ResourceRequestRecord,
    proposals: list[Proposal],
    caller: Caller,
    allocation_run_id: uuid.UUID | None,
    expires_at: datetime,
) -> list[OfferRecord]:
    """Stage offers of a request (which the caller's unit of work holds locked, see
    `request_for_update`) to the proposed providers, holding their capacity until `expires_at`
    (never past the request's window). Each offer is for at most what is left of the request;
    a provider that holds a live offer for the request already is skipped. The unit of work
    commits; answers 409 `request_not_open` for a request no longer taking offers."""
    await check_station_side(
        SqlAlchemyReader(session), caller, request_id=request.id, station_id=request.station_id
    )
    check_request_offerable(RequestStatus(request.status))
    now = services.clock()
    holds_until = min(expires_at, request.ends_at)
    if holds_until <= now:
        raise RuleViolation("the offers would expire at once", code="expiry_in_past")
    left = request.quantity - request.committed_quantity
    held = await live_offers_to(session, request.id, now=now)
    records: list[OfferRecord] = []
    for proposal in proposals:
        provider = (proposal.provider_type.value, proposal.provider_id)
        if provider in held or proposal.quantity <= 0:
            continue
        held.add(provider)
        records.append(
            OfferRecord(
                id=uuid.uuid4(),
                request_id=request.id,
                station_id=request.station_id,
                provider_type=proposal.provider_type.value,
                provider_id=proposal.provider_id,
                quantity=min(proposal.quantity, left),
                status=OfferStatus.PROPOSED.value,
                starts_at=request.starts_at,
                ends_at=request.ends_at,
                expires_at=holds_until,
                score=proposal.score,
                explanation=[dict(part) for part in proposal.explanation],
                allocation_run_id=allocation_run_id,
                offered_by_client_id=caller.client_id,
                responded_on_behalf=False,
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
    add(session, *records)
    return records


async def _candidates(
    session: AsyncSession, services: Services, *, caller: Caller, request_id: uuid.UUID, limit: int
) -> CandidateSearch:
    """Matching's ranked candidates, searched in this unit of work (the request locked): what
    `find_candidates` answers, but on the session, so the check and the offers it leads to see
    the same state (and SQLite's one writer is not waited for by its own reader)."""
    reader = SqlAlchemyReader(session)
    row = await load_request(reader, request_id, caller)
    return await search(reader, services, row, limit=limit)


def _proposal(candidate: Candidate, quantity: int | None = None) -> Proposal:
    return Proposal(
        provider_type=ProviderType(candidate.provider_type),
        provider_id=candidate.provider_id,
        quantity=quantity or candidate.capacity_left,
        score=candidate.score.total,
        explanation=tuple(
            explanation_rows(
                (part.component.value, part.value, part.weight) for part in candidate.score.parts
            )
        ),
    )


def _choice_problems(data: OfferBatchCreate) -> list[FieldProblem]:
    """Exactly one of `providers` and `top`; each provider named once."""
    if (data.providers is None) == (data.top is None):
        return [
            FieldProblem("providers", "send either `providers` or `top`", code="providers_or_top")
        ]
    seen: set[tuple[ProviderType, uuid.UUID]] = set()
    problems: list[FieldProblem] = []
    for index, choice in enumerate(data.providers or ()):
        if (choice.provider_type, choice.provider_id) in seen:
            problems.append(
                FieldProblem(
                    f"providers[{index}]", "each provider is named once", code="duplicate_provider"
                )
            )
        seen.add((choice.provider_type, choice.provider_id))
    return problems


async def _named(
    session: AsyncSession,
    services: Services,
    *,
    caller: Caller,
    request: ResourceRequestRecord,
    choices: list[ProviderChoice],
) -> list[Proposal]:
    """The named providers as proposals, each passing every hard filter of matching."""
    held = await live_offers_to(session, request.id, now=services.clock())
    for choice in choices:
        if (choice.provider_type.value, choice.provider_id) in held:
            raise Conflict(
                f"the {choice.provider_type} {choice.provider_id} holds an offer for this"
                " request already",
                code="already_offered",
                extra={"provider_type": choice.provider_type.value},
            )
    reader = SqlAlchemyReader(session)
    row = await load_request(reader, request.id, caller)
    problems: list[FieldProblem] = []
    proposals: list[Proposal] = []
    for index, choice in enumerate(choices):
        only = (choice.provider_type, choice.provider_id)
        found = await search(reader, services, row, limit=1, only=only)
        candidate = found.candidates[0] if found.candidates else None
        if candidate is None:
            problems.append(
                FieldProblem(
                    f"providers[{index}].provider_id",
                    f"the {choice.provider_type} does not pass matching's hard filters (kind,"
                    " active, area, availability, capacity, qualification, skills)",
                    code="provider_not_eligible",
                )
            )
        elif choice.quantity is not None and choice.quantity > candidate.capacity_left:
            problems.append(
                FieldProblem(
                    f"providers[{index}].quantity",
                    f"the {choice.provider_type} can give {candidate.capacity_left} of what is"
                    " left",
                    code="quantity_exceeds_capacity",
                )
            )
        else:
            proposals.append(_proposal(candidate, choice.quantity))
    if problems:
        raise rule_violation(problems)
    return proposals


async def lock_providers(session: AsyncSession, proposals: list[Proposal]) -> None:
    """Lock the proposed providers' rows in the one fixed order (service/db/repositories/
    offers.py), so that what the checks after it read of their holds stays true until commit."""
    await providers_for_update(session, [(p.provider_type, p.provider_id) for p in proposals])


async def still_eligible(
    session: AsyncSession,
    services: Services,
    *,
    caller: Caller,
    request_id: uuid.UUID,
    proposals: list[Proposal],
) -> tuple[list[Proposal], list[Proposal]]:
    """With the request and the providers locked: the proposals whose providers still pass
    every hard filter (each for at most what it has left now), and those that no longer do –
    a concurrent offer took them meanwhile."""
    reader = SqlAlchemyReader(session)
    row = await load_request(reader, request_id, caller)
    kept: list[Proposal] = []
    dropped: list[Proposal] = []
    for proposal in proposals:
        only = (proposal.provider_type, proposal.provider_id)
        found = await search(reader, services, row, limit=1, only=only)
        if not found.candidates:
            dropped.append(proposal)
            continue
        left = found.candidates[0].capacity_left
        kept.append(dataclasses.replace(proposal, quantity=min(proposal.quantity, left)))
    return kept, dropped


async def _top(
    session: AsyncSession, services: Services, *, caller: Caller, request_id: uuid.UUID, top: int
) -> list[Proposal]:
    """The best `top` candidates as proposals; 409 naming what the filters removed if none."""
    found = await _candidates(session, services, caller=caller, request_id=request_id, limit=top)
    if not found.candidates:
        raise Conflict(
            "no provider passes every hard filter; see `removed` for how many each removed",
            code="no_candidates",
            extra={
                "removed": [
                    {
                        "provider_type": c.provider_type,
                        "filter": c.filter.value,
                        "removed": c.removed,
                    }
                    for c in found.removed
                    if c.removed
                ]
            },
        )
    return [_proposal(candidate) for candidate in found.candidates]


async def create_offers(
    services: Services,
    *,
    caller: Caller,
    request_id: uuid.UUID,
    data: OfferBatchCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Offer a request to named providers (each passing every hard filter) or to the top N
    candidates, with each one's score and its parts; the offers hold capacity until they expire."""
    if problems := _choice_problems(data):
        raise rule_violation(problems)

    async def create(session: AsyncSession) -> Created:
        request = await request_for_update(session, request_id)
        if request is None:
            raise NotFound(f"no resource request with id {request_id}")
        await check_station_side(
            SqlAlchemyReader(session), caller, request_id=request_id, station_id=request.station_id
        )
        check_request_offerable(RequestStatus(request.status))
        if data.providers is not None:
            # The named providers locked first (fixed order), then judged: concurrent offers
            # naming them queue here and see each other's holds (issue 8).
            await providers_for_update(
                session, [(c.provider_type, c.provider_id) for c in data.providers]
            )
            proposals = await _named(
                session, services, caller=caller, request=request, choices=data.providers
            )
        else:
            proposals = await _top(
                session, services, caller=caller, request_id=request_id, top=data.top or 1
            )
            await lock_providers(session, proposals)
            proposals, _ = await still_eligible(
                session, services, caller=caller, request_id=request_id, proposals=proposals
            )
            if not proposals:
                raise Conflict(
                    "the candidates found were taken by concurrent offers; search again",
                    code="no_candidates",
                    extra={"removed": []},
                )
        now = services.clock()
        records = await propose_offers(
            session,
            services,
            request=request,
            proposals=proposals,
            caller=caller,
            allocation_run_id=None,
            expires_at=hold_until(
                now,
                hours=data.expires_in_hours or services.offer_hold_hours,
                request_ends_at=request.ends_at,
            ),
        )
        await session.flush()
        rows = await OfferRepository(SqlAlchemyReader(session)).many([r.id for r in records])
        return Created(
            body=OfferBatch(items=[offer_read(row, now=now) for row in rows]),
            location=f"/v1/offers?request_id={request_id}",
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)
