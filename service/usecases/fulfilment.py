"""Use cases of answering and fulfilling offers: accept, decline, withdraw, complete and rate.

Every change runs in one unit of work with the request, then the offer, then (when accepting or
taking stock) the provider locked, so that concurrent answers queue and the checks of
service/domain/fulfilment.py see whatever was committed before them. Changes go through
`create_once`, so a retried call with the same Idempotency-Key replays its first answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.repositories.offers import (
    accepted_offers_of,
    booked_elsewhere,
    expire_if_lapsed,
    held_by_accepted,
    members_among,
    offer_facts,
    offer_for_update,
    provider_for_update,
    request_for_update,
    station_name,
    take_stock,
)
from service.db.repositories.resource_requests import lapse_proposals
from service.db.tables import OfferRecord, ResourceRequestRecord
from service.domain import capacity as capacity_rule
from service.domain.access import Caller
from service.domain.errors import Conflict, FieldProblem, Forbidden, rule_violation
from service.domain.fulfilment import (
    ONE_PERSON,
    Completion,
    Side,
    acts_for_station,
    check_provider_active,
    check_rateable,
    check_request_accepting,
    check_room,
    check_started,
    check_stock,
    completion_problems,
    default_service_date,
    double_booked,
    hours_served,
    is_lapsed,
    lapsed_acceptance,
    offer_expired,
    offer_lapsed,
    responder,
    sees_offer,
)
from service.domain.offerings import QuantityUnit, ServiceCategory
from service.domain.requests import (
    LapseReason,
    OfferStatus,
    ProviderType,
    RequestStatus,
    Window,
    commitment_status,
    move_offer,
    move_request,
)
from service.domain.service_records import ledger_entries
from service.schemas.offers import OfferCompletion, OfferRating, completion_of
from service.usecases.common import Services, unit_of_work
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once
from service.usecases.offers import not_found, representation
from service.usecases.service_records import record_service


@dataclass(frozen=True, slots=True)
class Locked:
    """An offer and its request, both locked, and the organisation answering for the provider."""

    request: ResourceRequestRecord
    offer: OfferRecord
    provider_organisation_id: uuid.UUID | None

    @property
    def window(self) -> Window:
        """When the provider is booked."""
        return Window(self.offer.starts_at, self.offer.ends_at)

    @property
    def provider_type(self) -> ProviderType:
        """The registry the provider is in."""
        return ProviderType(self.offer.provider_type)


Authorise = Callable[[Locked], Side]  # on whose side the caller acts, or Forbidden
Action = Callable[[AsyncSession, Locked, Side, datetime], Awaitable[None]]
Refusal = Callable[[Locked, LapseReason], Conflict]  # what acting on a lapsed proposal answers


async def lock_offer(session: AsyncSession, caller: Caller, offer_id: uuid.UUID) -> Locked:
    """The offer and its request locked (request first), if the caller may see the offer."""
    facts = await offer_facts(session, offer_id)
    if facts is None or not sees_offer(
        caller,
        station_id=facts["station_id"],
        provider_organisation_id=facts["provider_organisation_id"],
    ):
        raise not_found(offer_id)
    request = await request_for_update(session, facts["request_id"])
    offer = await offer_for_update(session, offer_id)
    if request is None or offer is None:
        raise not_found(offer_id)
    return Locked(request, offer, facts["provider_organisation_id"])


async def _settle(
    session: AsyncSession, request: ResourceRequestRecord, *, live_accepted: int, now: datetime
) -> None:
    """Move the request to the status its quantities imply (and to its next version); once it
    takes no more offers, its other proposals lapse in this unit of work, releasing their holds."""
    current = RequestStatus(request.status)
    wanted = commitment_status(
        current,
        requested=request.quantity,
        accepted=request.committed_quantity,
        completed=request.fulfilled_quantity,
        live_accepted=live_accepted,
    )
    request.status = move_request(current, wanted).value
    request.version += 1
    request.updated_at = now
    await lapse_proposals(session, request.id, RequestStatus(request.status), now=now)


async def _act(
    services: Services,
    *,
    caller: Caller,
    offer_id: uuid.UUID,
    key: IdempotencyKey | None,
    ttl: timedelta,
    authorise: Authorise,
    action: Action,
    lapsed: Refusal,
) -> CreationResult:
    """Lock, authorise, refuse a proposal that lapsed with its request (saying why) or whose
    hold ran out (storing it as expired), act, answer."""

    async def change(session: AsyncSession) -> Created:
        locked = await lock_offer(session, caller, offer_id)
        side = authorise(locked)
        now = services.clock()
        if locked.offer.lapse_reason is not None:
            raise lapsed(locked, LapseReason(locked.offer.lapse_reason))
        if is_lapsed(OfferStatus(locked.offer.status), locked.offer.expires_at, now):
            raise offer_expired()
        await action(session, locked, side, now)
        locked.offer.version += 1
        locked.offer.updated_at = now
        await session.flush()
        return Created(
            body=await representation(session, offer_id, now),
            location=f"/v1/offers/{offer_id}",
            version=locked.offer.version,
            status_code=200,
        )

    try:
        return await create_once(services, caller=caller, key=key, ttl=ttl, create=change)
    except Conflict as error:
        if error.code == "offer_expired":
            async with unit_of_work(services.database) as session:
                await expire_if_lapsed(session, offer_id, now=services.clock())
        raise


def _refused(wanted: str) -> Refusal:
    """A proposal that lapsed when its request stopped taking offers is past any change: the
    answer says so and why, not that the offer is expired (which reads as its hold ran out)."""

    def refusal(locked: Locked, reason: LapseReason) -> Conflict:
        return offer_lapsed(OfferStatus(locked.offer.status), reason, wanted=wanted)

    return refusal


def _refused_acceptance(locked: Locked, reason: LapseReason) -> Conflict:
    """An accept of a lapsed proposal answers what stops its request taking it (fully
    committed, not open), as for a live one, naming the lapse; else that it lapsed."""
    request, offer = locked.request, locked.offer
    return lapsed_acceptance(
        RequestStatus(request.status),
        requested=request.quantity,
        committed=request.committed_quantity,
        offer_status=OfferStatus(offer.status),
        offered=offer.quantity,
        reason=reason,
    )


def _station_side(caller: Caller) -> Authorise:
    """Withdraw, complete and rate are the station's to do."""

    def authorise(locked: Locked) -> Side:
        if not acts_for_station(caller, locked.offer.station_id):
            raise Forbidden(
                "only the offering station withdraws, completes or rates an offer",
                code="station_only",
            )
        return Side.STATION

    return authorise


def _answering_side(caller: Caller) -> Authorise:
    """Accept and decline are the provider's, or the station's on its behalf."""

    def authorise(locked: Locked) -> Side:
        side = responder(
            caller,
            station_id=locked.offer.station_id,
            provider_organisation_id=locked.provider_organisation_id,
        )
        if side is None:
            raise Forbidden(
                "only the provider's organisation, or the station on its behalf, answers",
                code="not_the_responder",
            )
        return side

    return authorise


async def _book(session: AsyncSession, locked: Locked) -> None:
    """The provider, locked, can take the offer: active, not booked twice, stock left."""
    kind, offer = locked.provider_type, locked.offer
    provider = await provider_for_update(session, kind, offer.provider_id)
    if provider is None:
        raise Conflict("the provider is no longer registered", code="provider_inactive")
    check_provider_active(provider["status"])
    if kind in ONE_PERSON and await booked_elsewhere(
        session, kind, offer.provider_id, locked.window, excluding=offer.id
    ):
        raise double_booked(kind)
    # The one rule of what is left (service/domain/capacity.py), as matching counts it.
    category = ServiceCategory(locked.request.category)
    held = await held_by_accepted(
        session,
        kind,
        offer.provider_id,
        None if capacity_rule.consumable(category) else locked.window,
        excluding=offer.id,
    )
    unit = QuantityUnit(locked.request.unit)
    capacity_rule.check_capacity(
        kind, capacity_rule.stated(kind, unit, provider), held, offer.quantity
    )


async def accept_offer(
    services: Services,
    *,
    caller: Caller,
    offer_id: uuid.UUID,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Accept: never more committed than requested, never a person booked twice."""

    async def accept(session: AsyncSession, locked: Locked, side: Side, now: datetime) -> None:
        offer, request = locked.offer, locked.request
        status = move_offer(OfferStatus(offer.status), OfferStatus.ACCEPTED)
        check_request_accepting(RequestStatus(request.status))
        check_room(
            requested=request.quantity,
            committed=request.committed_quantity,
            offered=offer.quantity,
        )
        await _book(session, locked)
        live_accepted = await accepted_offers_of(session, request.id) + 1
        offer.status = status.value
        offer.responded_at = now
        offer.responded_by_client_id = caller.client_id
        offer.responded_on_behalf = side is Side.STATION
        request.committed_quantity += offer.quantity
        await _settle(session, request, live_accepted=live_accepted, now=now)

    return await _act(
        services,
        caller=caller,
        offer_id=offer_id,
        key=key,
        ttl=ttl,
        authorise=_answering_side(caller),
        action=accept,
        lapsed=_refused_acceptance,
    )


async def decline_offer(
    services: Services,
    *,
    caller: Caller,
    offer_id: uuid.UUID,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Decline a proposal: the provider's hold is released."""

    async def decline(session: AsyncSession, locked: Locked, side: Side, now: datetime) -> None:
        offer = locked.offer
        offer.status = move_offer(OfferStatus(offer.status), OfferStatus.DECLINED).value
        offer.responded_at = now
        offer.responded_by_client_id = caller.client_id
        offer.responded_on_behalf = side is Side.STATION

    return await _act(
        services,
        caller=caller,
        offer_id=offer_id,
        key=key,
        ttl=ttl,
        authorise=_answering_side(caller),
        action=decline,
        lapsed=_refused("declined"),
    )


async def withdraw_offer(
    services: Services,
    *,
    caller: Caller,
    offer_id: uuid.UUID,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Withdraw a proposal or an acceptance; an accepted quantity is released."""

    async def withdraw(session: AsyncSession, locked: Locked, _: Side, now: datetime) -> None:
        offer, request = locked.offer, locked.request
        was = OfferStatus(offer.status)
        offer.status = move_offer(was, OfferStatus.WITHDRAWN).value
        if was is OfferStatus.ACCEPTED:
            live_accepted = await accepted_offers_of(session, request.id) - 1
            request.committed_quantity -= offer.quantity
            await _settle(session, request, live_accepted=live_accepted, now=now)

    return await _act(
        services,
        caller=caller,
        offer_id=offer_id,
        key=key,
        ttl=ttl,
        authorise=_station_side(caller),
        action=withdraw,
        lapsed=_refused("withdrawn"),
    )


async def _member_problems(
    session: AsyncSession, locked: Locked, completion: Completion
) -> list[FieldProblem]:
    """Team hours are recorded for the team's members only."""
    if locked.provider_type is not ProviderType.VOLUNTEER_TEAM or not completion.member_hours:
        return []
    ids = [member.volunteer_id for member in completion.member_hours]
    members = await members_among(session, locked.offer.provider_id, ids)
    return [
        FieldProblem(
            f"member_hours[{index}].volunteer_id",
            f"volunteer {volunteer_id} is not a member of the team",
            code="not_a_member",
        )
        for index, volunteer_id in enumerate(ids)
        if volunteer_id not in members
    ]


async def complete_offer(
    services: Services,
    *,
    caller: Caller,
    offer_id: uuid.UUID,
    data: OfferCompletion,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Record what an accepted offer delivered: the request's fulfilment, a charity resource's
    stock, and each volunteer's hours in the ledger."""
    completion = completion_of(data)

    async def complete(session: AsyncSession, locked: Locked, _: Side, now: datetime) -> None:
        offer, request, kind = locked.offer, locked.request, locked.provider_type
        status = move_offer(OfferStatus(offer.status), OfferStatus.COMPLETED)
        check_started(locked.window, now)
        problems = completion_problems(
            kind, completion, offered=offer.quantity, window=locked.window, now=now
        )
        problems += await _member_problems(session, locked, completion)
        if problems:
            raise rule_violation(problems)
        if kind is ProviderType.CHARITY_RESOURCE and completion.actual_quantity > 0:
            resource = await provider_for_update(session, kind, offer.provider_id)
            left = resource["remaining_quantity"] if resource is not None else 0
            check_stock(
                remaining=left, held=0, wanted=completion.actual_quantity, code="resource_exhausted"
            )
            await take_stock(session, offer.provider_id, completion.actual_quantity)
        live_accepted = await accepted_offers_of(session, request.id) - 1
        offer.status = status.value
        offer.completed_at = now
        offer.actual_quantity = completion.actual_quantity
        offer.volunteer_hours = hours_served(kind, completion)
        offer.beneficiaries = completion.beneficiaries
        offer.outcome_note = completion.outcome_note
        request.fulfilled_quantity += completion.actual_quantity
        await _settle(session, request, live_accepted=live_accepted, now=now)
        entries = ledger_entries(
            kind,
            offer.provider_id,
            completion,
            station_name=await station_name(session, offer.station_id),
            request_title=request.title,
            service_date=completion.service_date or default_service_date(locked.window, now),
            recorder=caller.name,
        )
        record_service(session, entries, offer_id=offer.id, now=now)

    return await _act(
        services,
        caller=caller,
        offer_id=offer_id,
        key=key,
        ttl=ttl,
        authorise=_station_side(caller),
        action=complete,
        lapsed=_refused("completed"),
    )


async def rate_offer(
    services: Services,
    *,
    caller: Caller,
    offer_id: uuid.UUID,
    data: OfferRating,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Rate a completed offer, once: the rating feeds matching's reliability component."""

    async def rate(session: AsyncSession, locked: Locked, _: Side, now: datetime) -> None:
        offer = locked.offer
        check_rateable(OfferStatus(offer.status), rated=offer.rating is not None)
        offer.rating = data.rating
        offer.rating_note = data.note
        offer.rated_at = now

    return await _act(
        services,
        caller=caller,
        offer_id=offer_id,
        key=key,
        ttl=ttl,
        authorise=_station_side(caller),
        action=rate,
        lapsed=_refused("rated"),
    )
