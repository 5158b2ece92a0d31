"""Offers answered and fulfilled: who may answer or act for the station, what an acceptance
must not break, and what a completion and a rating must say.

Accepting is where the promises of DESIGN §4 are kept: never more accepted than requested, and
a person (a volunteer, a social worker) never booked twice for overlapping windows. The checks
are pure; the use case runs them with the request and the provider locked.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from service.domain.access import Caller, Scope
from service.domain.errors import Conflict, FieldProblem, a
from service.domain.hangzhou_time import local_date, window_days
from service.domain.requests import LapseReason, OfferStatus, ProviderType, RequestStatus, Window

DEFAULT_HOLD_HOURS = 48
MAX_HOLD_HOURS = 24 * 30
MAX_TOP = 50  # candidates offered at once by `{"top": N}`

# Providers that are one person: they cannot be in two places at once.
ONE_PERSON = frozenset({ProviderType.VOLUNTEER, ProviderType.SOCIAL_WORKER})
# A request takes new offers (and acceptances) only while it is still being answered.
OFFERABLE = frozenset({RequestStatus.OPEN, RequestStatus.PARTIALLY_COMMITTED})
ACCEPTING = OFFERABLE | {RequestStatus.COMMITTED}  # committed: refused for want of room


class Side(StrEnum):
    """On whose side an answer to an offer is given."""

    PROVIDER = "provider"  # a client bound to the provider's organisation
    STATION = "station"  # the station, on the provider's behalf


# --- Who ----------------------------------------------------------------------------------------


def speaks_for_provider(caller: Caller, provider_organisation_id: uuid.UUID | None) -> bool:
    """A client bound to the organisation that offers, leads, employs or is the provider."""
    return provider_organisation_id is not None and caller.speaks_for_organisation(
        provider_organisation_id
    )


def sees_offer(
    caller: Caller, *, station_id: uuid.UUID, provider_organisation_id: uuid.UUID | None
) -> bool:
    """The station's clients (or unbound ones) and the provider's see an offer; nobody else."""
    on_station_side = caller.organisation_id is None and caller.may_change_station(station_id)
    return on_station_side or speaks_for_provider(caller, provider_organisation_id)


def acts_for_station(caller: Caller, station_id: uuid.UUID) -> bool:
    """Withdraw, complete, rate, answer on the provider's behalf: the station's writing clients
    (bound to it, or to no station and no organisation)."""
    return (
        caller.has(Scope.REQUESTS_WRITE)
        and caller.organisation_id is None
        and caller.may_change_station(station_id)
    )


def responder(
    caller: Caller, *, station_id: uuid.UUID, provider_organisation_id: uuid.UUID | None
) -> Side | None:
    """Who answers when this caller accepts or declines: the provider itself, the station on its
    behalf, or nobody (the caller may not)."""
    if caller.has(Scope.OFFERS_RESPOND) and speaks_for_provider(caller, provider_organisation_id):
        return Side.PROVIDER
    if acts_for_station(caller, station_id):
        return Side.STATION
    return None


# --- Offers in time -----------------------------------------------------------------------------


def is_lapsed(status: OfferStatus, expires_at: datetime, now: datetime) -> bool:
    """A proposed offer whose hold has run out (stored as proposed until someone touches it)."""
    return status is OfferStatus.PROPOSED and expires_at <= now


def effective_status(status: OfferStatus, expires_at: datetime, now: datetime) -> OfferStatus:
    """The status an offer has now: a lapsed proposal is expired, whatever the row says."""
    return OfferStatus.EXPIRED if is_lapsed(status, expires_at, now) else status


def offer_expired() -> Conflict:
    """The 409 of answering an offer whose hold has run out."""
    return Conflict(
        "the offer has expired: its hold on the provider ran out; make a new offer",
        code="offer_expired",
        extra={"current_status": OfferStatus.EXPIRED.value},
    )


# What happened to the request when its proposals lapsed, for the words of `offer_lapsed`.
LAPSED_WHEN: dict[LapseReason, str] = {
    LapseReason.REQUEST_COMMITTED: "its request was committed in full",
    LapseReason.REQUEST_CANCELLED: "its request was cancelled",
    LapseReason.REQUEST_CLOSED: "its request was closed",
    LapseReason.REQUEST_EXPIRED: "its request expired unanswered",
}


def offer_lapsed(status: OfferStatus, reason: LapseReason, *, wanted: str) -> Conflict:
    """The 409 of acting on a proposal that lapsed when its request stopped taking offers: not
    `illegal_transition` nor `offer_expired`, whose `expired` reads as a hold that ran out."""
    return Conflict(
        f"the offer lapsed when {LAPSED_WHEN[reason]}, before its hold ran out:"
        f" it is {status} and can no longer be {wanted}",
        code="offer_lapsed",
        extra={"current_status": status.value, "lapse_reason": reason.value},
    )


def hold_until(now: datetime, *, hours: int, request_ends_at: datetime) -> datetime:
    """When a new offer's hold ends: after `hours`, and never after the request's window."""
    return min(now + timedelta(hours=hours), request_ends_at)


# --- Accepting ----------------------------------------------------------------------------------


def check_request_offerable(status: RequestStatus) -> None:
    """New offers go to requests still being answered."""
    if status not in OFFERABLE:
        raise Conflict(
            f"{a(status)} request takes no new offers",
            code="request_not_open",
            extra={"current_status": status.value},
        )


def check_request_accepting(status: RequestStatus) -> None:
    """An acceptance needs a request that is still being answered."""
    if status not in ACCEPTING:
        raise Conflict(
            f"{a(status)} request accepts no offers any more",
            code="request_not_open",
            extra={"current_status": status.value},
        )


def check_room(*, requested: int, committed: int, offered: int) -> None:
    """Never more accepted than requested."""
    if committed + offered > requested:
        left = max(0, requested - committed)
        raise Conflict(
            f"only {left} of the request's {requested} is still to be committed;"
            f" this offer is for {offered}",
            code="request_fully_committed",
            extra={"quantity_left": left, "committed_quantity": committed},
        )


def lapsed_acceptance(
    request_status: RequestStatus,
    *,
    requested: int,
    committed: int,
    offer_status: OfferStatus,
    offered: int,
    reason: LapseReason,
) -> Conflict:
    """Why a lapsed proposal is not accepted: what stops its request taking it now (not open,
    fully committed), as for a live proposal, else that it lapsed; either naming the lapse."""
    try:
        check_request_accepting(request_status)
        check_room(requested=requested, committed=committed, offered=offered)
    except Conflict as refusal:
        extra = {**refusal.extra, "lapse_reason": reason.value}
        return Conflict(refusal.detail, code=refusal.code, extra=extra)
    return offer_lapsed(offer_status, reason, wanted="accepted")


def double_booked(provider_type: ProviderType) -> Conflict:
    """The 409 of booking one person twice for overlapping windows."""
    return Conflict(
        f"the {provider_type.value.replace('_', ' ')} has accepted another offer whose window"
        " overlaps this one",
        code="provider_double_booked",
    )


def check_provider_active(status: str) -> None:
    """A provider that left the network accepts nothing new."""
    if status != "active":
        raise Conflict(f"the provider is {status}, not active", code="provider_inactive", extra={})


def check_stock(*, remaining: int, held: int, wanted: int, code: str) -> None:
    """A charity resource gives no more than it has left, counting what accepted offers hold."""
    if held + wanted > remaining:
        raise Conflict(
            f"the resource has {remaining} left, {held} of it promised already;"
            f" {wanted} more is too much",
            code=code,
            extra={"remaining_quantity": remaining, "held_quantity": held},
        )


# --- Completing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberHours:
    """Hours one member of a team served."""

    volunteer_id: uuid.UUID
    hours: float


@dataclass(frozen=True, slots=True)
class Completion:
    """What the station records when the work is done."""

    actual_quantity: int
    volunteer_hours: float | None = None
    member_hours: tuple[MemberHours, ...] | None = None
    beneficiaries: int | None = None
    outcome_note: str | None = None
    service_date: date | None = None


def window_hours(window: Window) -> float:
    """How many hours the window lasts: no one serves longer than that in it."""
    return (window.ends_at - window.starts_at).total_seconds() / 3600


def service_days(window: Window) -> tuple[date, date]:
    """The first and last local (China time) dates of a window."""
    days = window_days(window.starts_at, window.ends_at)
    return days[0], days[-1]


def default_service_date(window: Window, now: datetime) -> date:
    """The service date when none is given: today if within the window, else its nearest day."""
    moment = min(max(now, window.starts_at), window.ends_at - timedelta(microseconds=1))
    return local_date(moment)


def check_started(window: Window, now: datetime) -> None:
    """Work is completed once it has begun."""
    if now < window.starts_at:
        raise Conflict(
            "the service window has not begun; complete the offer after the work",
            code="service_not_started",
        )


def _hours_problems(
    provider_type: ProviderType, completion: Completion, longest: float
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if provider_type is ProviderType.VOLUNTEER and completion.volunteer_hours is None:
        problems.append(
            FieldProblem(
                "volunteer_hours",
                "missing: a volunteer's offer is completed with the hours they served",
                code="hours_required",
            )
        )
    if completion.member_hours is not None and provider_type is not ProviderType.VOLUNTEER_TEAM:
        problems.append(
            FieldProblem(
                "member_hours", "only a volunteer team's offer has members", code="not_a_team"
            )
        )
    if provider_type is ProviderType.VOLUNTEER_TEAM:
        problems += _member_problems(completion, longest)
    if (
        provider_type in ONE_PERSON
        and completion.volunteer_hours is not None
        and completion.volunteer_hours > longest
    ):
        problems.append(
            FieldProblem(
                "volunteer_hours",
                f"one person serves at most the window's {longest:g} hours",
                code="hours_exceed_window",
            )
        )
    return problems


def _member_problems(completion: Completion, longest: float) -> list[FieldProblem]:
    members = completion.member_hours
    if members is None or (not members and completion.actual_quantity > 0):
        return [
            FieldProblem(
                "member_hours",
                "missing: a team's offer is completed with each member's hours"
                " ([{volunteer_id, hours}, …])",
                code="member_hours_required",
            )
        ]
    problems: list[FieldProblem] = []
    seen: set[uuid.UUID] = set()
    for index, member in enumerate(members):
        if member.volunteer_id in seen:
            problems.append(
                FieldProblem(
                    f"member_hours[{index}].volunteer_id",
                    "each member is listed once",
                    code="duplicate_member",
                )
            )
        seen.add(member.volunteer_id)
        if member.hours > longest:
            problems.append(
                FieldProblem(
                    f"member_hours[{index}].hours",
                    f"one person serves at most the window's {longest:g} hours",
                    code="hours_exceed_window",
                )
            )
    total = math.fsum(member.hours for member in members)
    if completion.volunteer_hours is not None and not math.isclose(
        completion.volunteer_hours, total, abs_tol=0.005
    ):
        problems.append(
            FieldProblem(
                "volunteer_hours",
                f"the team's hours are the sum of its members' ({total:g}); send either",
                code="hours_mismatch",
            )
        )
    return problems


def completion_problems(
    provider_type: ProviderType,
    completion: Completion,
    *,
    offered: int,
    window: Window,
    now: datetime,
) -> list[FieldProblem]:
    """Every rule a completion breaks: no more delivered than offered, hours where volunteers
    served (per member for a team, none longer than the window), a service date in the window
    and not in the future."""
    problems: list[FieldProblem] = []
    if completion.actual_quantity > offered:
        problems.append(
            FieldProblem(
                "actual_quantity",
                f"the offer was for {offered}; record more as a further offer",
                code="actual_exceeds_offer",
            )
        )
    problems += _hours_problems(provider_type, completion, window_hours(window))
    if completion.service_date is not None:
        first, last = service_days(window)
        today = local_date(now)
        if not first <= completion.service_date <= last:
            problems.append(
                FieldProblem(
                    "service_date",
                    f"the window runs from {first.isoformat()} to {last.isoformat()}",
                    code="service_date_outside_window",
                )
            )
        elif completion.service_date > today:
            problems.append(
                FieldProblem(
                    "service_date", "the service date is in the future", code="service_date_ahead"
                )
            )
    return problems


def hours_served(provider_type: ProviderType, completion: Completion) -> float | None:
    """The hours to store on the offer: a team's are its members' sum."""
    if provider_type is ProviderType.VOLUNTEER_TEAM and completion.member_hours is not None:
        return round(math.fsum(member.hours for member in completion.member_hours), 2)
    if completion.volunteer_hours is None:
        return None
    return round(completion.volunteer_hours, 2)


# --- Rating -------------------------------------------------------------------------------------


def check_rateable(status: OfferStatus, *, rated: bool) -> None:
    """A completed offer is rated once."""
    if status is not OfferStatus.COMPLETED:
        raise Conflict(
            f"{a(status)} offer cannot be rated; rate it once it is completed",
            code="offer_not_completed",
            extra={"current_status": status.value},
        )
    if rated:
        raise Conflict("the offer has been rated already", code="already_rated")


# --- Explanations -------------------------------------------------------------------------------


def explanation_rows(parts: Iterable[tuple[str, float, float]]) -> list[dict[str, float | str]]:
    """A score's parts (component, value, weight) as stored and shown: with each contribution."""
    return [
        {
            "component": component,
            "value": value,
            "weight": weight,
            "contribution": round(value * weight, 6),
        }
        for component, value, weight in parts
    ]


@dataclass(frozen=True, slots=True)
class OfferFilter:
    """The filters of GET /v1/offers; `visible_to_*` narrow it to what a bound client sees."""

    request_id: uuid.UUID | None = None
    station_id: uuid.UUID | None = None
    provider_type: ProviderType | None = None
    provider_id: uuid.UUID | None = None
    status: OfferStatus | None = None
    visible_to_station: uuid.UUID | None = None
    visible_to_organisation: uuid.UUID | None = None
