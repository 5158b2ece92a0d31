"""Resource requests and offers: what a station needs, who is offered it, and how both move on.

A request is `open` until offers are accepted; the accepted quantity makes it
`partially_committed` then `committed`; completed offers make it `fulfilled`; the station then
`closes` it. It can be `cancelled` while not fulfilled, and it `expires` when its window has
passed with nothing committed. Offers are `proposed` (holding the provider's capacity until they
expire), then `accepted`, `declined`, `withdrawn`, `expired` or, after the work, `completed`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from service.domain.divisions import Division, DivisionLevel
from service.domain.errors import Conflict, FieldProblem, a
from service.domain.geo import HANGZHOU, Point
from service.domain.offerings import QuantityUnit, ServiceCategory
from service.domain.vocabulary import Labelled

MAX_WINDOW_DAYS = 366


class RequestStatus(Labelled):
    """Where a resource request stands."""

    OPEN = "open", "待响应"
    PARTIALLY_COMMITTED = "partially_committed", "部分承接"
    COMMITTED = "committed", "已承接"
    FULFILLED = "fulfilled", "已完成"
    CLOSED = "closed", "已关闭"
    CANCELLED = "cancelled", "已取消"
    EXPIRED = "expired", "已过期"


class Urgency(Labelled):
    """How soon a request must be met."""

    LOW = "low", "一般"
    NORMAL = "normal", "较急"
    HIGH = "high", "紧急"
    CRITICAL = "critical", "特急"


class OfferStatus(Labelled):
    """Where an offer stands."""

    PROPOSED = "proposed", "待确认"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已拒绝"
    WITHDRAWN = "withdrawn", "已撤回"
    EXPIRED = "expired", "已过期"
    COMPLETED = "completed", "已完成"


class LapseReason(StrEnum):
    """Why a proposal lapsed before its hold ran out: its request stopped taking offers."""

    REQUEST_COMMITTED = "request_committed"  # its quantity is fully committed
    REQUEST_CANCELLED = "request_cancelled"
    REQUEST_CLOSED = "request_closed"
    REQUEST_EXPIRED = "request_expired"  # its window ended while still open


LAPSE_REASONS: dict[RequestStatus, LapseReason] = {
    RequestStatus.COMMITTED: LapseReason.REQUEST_COMMITTED,
    RequestStatus.FULFILLED: LapseReason.REQUEST_COMMITTED,
    RequestStatus.CANCELLED: LapseReason.REQUEST_CANCELLED,
    RequestStatus.CLOSED: LapseReason.REQUEST_CLOSED,
    RequestStatus.EXPIRED: LapseReason.REQUEST_EXPIRED,
}


def lapse_reason(status: RequestStatus) -> LapseReason | None:
    """Why the request's other proposals lapse once it stands here; None while it takes offers."""
    return LAPSE_REASONS.get(status)


class ProviderType(Labelled):
    """Who can be offered a request: the partner registries that provide."""

    VOLUNTEER = "volunteer", "志愿者"
    VOLUNTEER_TEAM = "volunteer_team", "志愿服务队"
    ORGANISATION = "organisation", "社会组织"
    CHARITY_RESOURCE = "charity_resource", "慈善资源"
    UNIVERSITY = "university", "高校"
    SOCIAL_WORKER = "social_worker", "社会工作者"


TERMINAL_REQUEST = frozenset({RequestStatus.CLOSED, RequestStatus.CANCELLED, RequestStatus.EXPIRED})
LIVE_OFFER = frozenset({OfferStatus.PROPOSED, OfferStatus.ACCEPTED})

# Which providers can meet which category (the first hard filter of matching).
PROVIDERS_FOR: dict[ServiceCategory, frozenset[ProviderType]] = {
    ServiceCategory.VOLUNTEER_SERVICE: frozenset(
        {ProviderType.VOLUNTEER, ProviderType.VOLUNTEER_TEAM, ProviderType.ORGANISATION}
    ),
    ServiceCategory.PROFESSIONAL_SERVICE: frozenset(
        {ProviderType.SOCIAL_WORKER, ProviderType.ORGANISATION}
    ),
    ServiceCategory.FUNDS: frozenset({ProviderType.CHARITY_RESOURCE, ProviderType.ORGANISATION}),
    ServiceCategory.GOODS: frozenset({ProviderType.CHARITY_RESOURCE, ProviderType.ORGANISATION}),
    ServiceCategory.VENUE: frozenset({ProviderType.CHARITY_RESOURCE, ProviderType.ORGANISATION}),
    ServiceCategory.SUPERVISION: frozenset(
        {ProviderType.SOCIAL_WORKER, ProviderType.ORGANISATION, ProviderType.UNIVERSITY}
    ),
    ServiceCategory.TRAINING: frozenset({ProviderType.ORGANISATION, ProviderType.UNIVERSITY}),
    ServiceCategory.UNIVERSITY_SUPPORT: frozenset({ProviderType.UNIVERSITY}),
}

# How each category is counted: the units a request of it may use.
UNITS_FOR: dict[ServiceCategory, frozenset[QuantityUnit]] = {
    ServiceCategory.VOLUNTEER_SERVICE: frozenset({QuantityUnit.PEOPLE, QuantityUnit.HOURS}),
    ServiceCategory.PROFESSIONAL_SERVICE: frozenset(
        {QuantityUnit.PEOPLE, QuantityUnit.HOURS, QuantityUnit.SESSIONS}
    ),
    ServiceCategory.FUNDS: frozenset({QuantityUnit.YUAN}),
    ServiceCategory.GOODS: frozenset({QuantityUnit.ITEMS}),
    ServiceCategory.VENUE: frozenset(
        {QuantityUnit.SQUARE_METRES, QuantityUnit.SESSIONS, QuantityUnit.HOURS}
    ),
    ServiceCategory.SUPERVISION: frozenset({QuantityUnit.SESSIONS, QuantityUnit.HOURS}),
    ServiceCategory.TRAINING: frozenset(
        {QuantityUnit.SESSIONS, QuantityUnit.HOURS, QuantityUnit.PEOPLE}
    ),
    ServiceCategory.UNIVERSITY_SUPPORT: frozenset(
        {QuantityUnit.PEOPLE, QuantityUnit.SESSIONS, QuantityUnit.HOURS}
    ),
}

REQUEST_TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.OPEN: frozenset(
        {
            RequestStatus.PARTIALLY_COMMITTED,
            RequestStatus.COMMITTED,
            RequestStatus.CANCELLED,
            RequestStatus.EXPIRED,
        }
    ),
    RequestStatus.PARTIALLY_COMMITTED: frozenset(
        {
            RequestStatus.OPEN,
            RequestStatus.COMMITTED,
            RequestStatus.FULFILLED,
            RequestStatus.CANCELLED,
        }
    ),
    RequestStatus.COMMITTED: frozenset(
        {
            RequestStatus.OPEN,  # its only accepted offer withdrawn
            RequestStatus.PARTIALLY_COMMITTED,
            RequestStatus.FULFILLED,
            RequestStatus.CANCELLED,
        }
    ),
    RequestStatus.FULFILLED: frozenset({RequestStatus.CLOSED}),
    RequestStatus.CLOSED: frozenset(),
    RequestStatus.CANCELLED: frozenset(),
    RequestStatus.EXPIRED: frozenset(),
}

OFFER_TRANSITIONS: dict[OfferStatus, frozenset[OfferStatus]] = {
    OfferStatus.PROPOSED: frozenset(
        {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN, OfferStatus.EXPIRED}
    ),
    OfferStatus.ACCEPTED: frozenset({OfferStatus.COMPLETED, OfferStatus.WITHDRAWN}),
    OfferStatus.DECLINED: frozenset(),
    OfferStatus.WITHDRAWN: frozenset(),
    OfferStatus.EXPIRED: frozenset(),
    OfferStatus.COMPLETED: frozenset(),
}


def illegal(kind: str, current: Labelled, wanted: Labelled) -> Conflict:
    """The 409 of a move the state machine does not allow, naming where things stand."""
    return Conflict(
        f"{a(current)} {kind} cannot become {wanted}",
        code="illegal_transition",
        extra={"current_status": current.value},
    )


def move_request(current: RequestStatus, wanted: RequestStatus) -> RequestStatus:
    """The request's next status, or a Conflict naming its current one."""
    if wanted is current:
        return current
    if wanted not in REQUEST_TRANSITIONS[current]:
        raise illegal("request", current, wanted)
    return wanted


def move_offer(current: OfferStatus, wanted: OfferStatus) -> OfferStatus:
    """The offer's next status, or a Conflict naming its current one."""
    if wanted not in OFFER_TRANSITIONS[current]:
        raise illegal("offer", current, wanted)
    return wanted


def commitment_status(
    current: RequestStatus, *, requested: int, accepted: int, completed: int, live_accepted: int
) -> RequestStatus:
    """The status the quantities imply, for a request that is not closed, cancelled or expired.

    `accepted` counts every accepted or completed quantity, `completed` the completed part,
    `live_accepted` how many accepted offers are still to be completed.
    """
    if current in TERMINAL_REQUEST or current is RequestStatus.FULFILLED:
        return current
    if completed >= requested or (accepted >= requested and live_accepted == 0 and completed > 0):
        return RequestStatus.FULFILLED
    if accepted >= requested:
        return RequestStatus.COMMITTED
    if accepted > 0:
        return RequestStatus.PARTIALLY_COMMITTED
    return RequestStatus.OPEN


@dataclass(frozen=True, slots=True)
class Window:
    """When a request's service happens (UTC instants)."""

    starts_at: datetime
    ends_at: datetime

    def overlaps(self, other: Window) -> bool:
        """Whether the two windows share any moment (touching ends do not overlap)."""
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


def request_problems(
    *,
    category: ServiceCategory,
    unit: QuantityUnit,
    window: Window,
    now: datetime,
) -> list[FieldProblem]:
    """Every rule a new request breaks: its unit fits its category, its window is sane."""
    problems: list[FieldProblem] = []
    if unit not in UNITS_FOR[category]:
        allowed = ", ".join(sorted(u.value for u in UNITS_FOR[category]))
        problems.append(
            FieldProblem(
                "unit", f"{a(category)} request is counted in {allowed}", code="unit_not_allowed"
            )
        )
    if window.ends_at <= window.starts_at:
        problems.append(
            FieldProblem(
                "window.ends_at",
                "the window ends before it starts",
                code="window_ends_before_start",
            )
        )
    elif window.ends_at - window.starts_at > timedelta(days=MAX_WINDOW_DAYS):
        problems.append(
            FieldProblem(
                "window.ends_at",
                f"a window spans at most {MAX_WINDOW_DAYS} days",
                code="window_too_long",
            )
        )
    if window.ends_at <= now:
        problems.append(
            FieldProblem("window.ends_at", "the window has passed already", code="window_in_past")
        )
    return problems


def quantity_left(requested: int, committed: Iterable[int]) -> int:
    """How much of a request is still to be committed."""
    return max(0, requested - sum(committed))


# --- Editing, placing and finding requests -------------------------------------------------------

# A station may change its request only while it is still being answered.
EDITABLE_REQUEST = frozenset({RequestStatus.OPEN, RequestStatus.PARTIALLY_COMMITTED})


def check_editable(current: RequestStatus) -> None:
    """A request changes only while open or partially committed; else a Conflict naming where
    it stands."""
    if current not in EDITABLE_REQUEST:
        raise Conflict(
            f"{a(current)} request cannot be changed any more",
            code="request_not_editable",
            extra={"current_status": current.value},
        )


def check_quantity(quantity: int, *, committed: int) -> None:
    """The quantity never falls below what providers have committed to."""
    if quantity < committed:
        raise Conflict(
            f"{committed} is committed already: the quantity cannot fall below it",
            code="quantity_below_commitment",
            extra={"committed_quantity": committed},
        )


def check_window_change(*, committed: int, live_offers: int) -> None:
    """The window moves only while nothing is committed and no offer holds a provider for it
    (offers carry a copy of the window their provider is booked for)."""
    if committed > 0 or live_offers > 0:
        reason = (
            f"{committed} is committed already"
            if committed > 0
            else f"{live_offers} offer(s) hold providers for it; withdraw them first"
        )
        raise Conflict(
            f"the window cannot move: {reason}",
            code="window_locked",
            extra={"committed_quantity": committed, "live_offers": live_offers},
        )


def place_problems(
    division_code: str, division: Division | None, *, township_code: str
) -> list[FieldProblem]:
    """A request happens in its station's township or in a community of that township."""
    if division is None:
        return [
            FieldProblem(
                "division_code",
                f"{division_code} is not a Hangzhou division code",
                code="unknown_division",
            )
        ]
    if division.code == township_code or (
        division.level is DivisionLevel.COMMUNITY and division.parent_code == township_code
    ):
        return []
    return [
        FieldProblem(
            "division_code",
            f"{division_code} ({division.name}) is neither the station's township {township_code}"
            " nor a community in it",
            code="division_outside_station",
        )
    ]


def location_problems(location: Point | None) -> list[FieldProblem]:
    """Where a request happens lies inside Hangzhou."""
    if location is None or HANGZHOU.contains(location):
        return []
    return [
        FieldProblem(
            "location",
            f"({location.lat}, {location.lon}) lies outside Hangzhou",
            code="location_outside_hangzhou",
        )
    ]


@dataclass(frozen=True, slots=True)
class RequestFilter:
    """The filters of GET /v1/resource-requests.

    `window_from` and `window_to` keep the requests whose window overlaps [from, to);
    `visible_to` (set for station-bound clients) keeps that station's requests only;
    `visible_to_organisation` (organisation-bound clients) those with an offer it answers for.
    """

    station_id: uuid.UUID | None = None
    district_code: str | None = None
    status: RequestStatus | None = None
    category: ServiceCategory | None = None
    urgency: Urgency | None = None
    window_from: datetime | None = None
    window_to: datetime | None = None
    visible_to: uuid.UUID | None = None
    visible_to_organisation: uuid.UUID | None = None


def office_problems(
    office_id: uuid.UUID | None, station_of_office: uuid.UUID | None, *, station_id: uuid.UUID
) -> list[FieldProblem]:
    """A request made through an office is made through an office of its own station.

    `station_of_office` is the named office's station, None when no such office exists.
    """
    if office_id is None:
        return []
    if station_of_office is None:
        return [FieldProblem("office_id", f"no office with id {office_id}", code="unknown_office")]
    if station_of_office != station_id:
        return [
            FieldProblem(
                "office_id",
                f"office {office_id} belongs to station {station_of_office}, not to {station_id}",
                code="office_of_another_station",
            )
        ]
    return []


# --- Proposals: what becomes an offer ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proposal:
    """A provider proposed for (part of) a request, with the score that ranked it and why.

    Named or top-ranked candidates (POST /v1/resource-requests/{id}/offers) and the assignments
    of an applied allocation run both become offers through one function that takes these.
    `explanation` holds one `{component, value, weight, contribution}` per score component.
    """

    provider_type: ProviderType
    provider_id: uuid.UUID
    quantity: int
    score: float | None = None
    explanation: tuple[dict[str, float | str], ...] = ()
