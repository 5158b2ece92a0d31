"""The linkage graph (五社联动): typed, dated ties between a station and its partners.

Rules: an operating contract binds a professional social work agency to a station run by
purchased service (R9), one active at a time; supervision needs a recognised supervisor, a social
work agency or a university that supervises, and should last 3–5 years (R10); practice, research,
teaching and case bases are university ties (R15); pairing joins two stations, urban–rural pairs
being what R16 encourages; resource partners are the charity, enterprise and university
resources a station links (R19). Two live linkages of one kind between the same two ends may not
cover the same day; a pairing is the same tie whichever station registered it.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from service.domain.access import Caller
from service.domain.divisions import DivisionKind
from service.domain.errors import FieldProblem, a
from service.domain.partners import CertificateLevel, Employment, is_certified
from service.domain.vocabulary import Labelled, OperatingMode

SUPERVISION_MIN_YEARS = 3
FULL_TIME_CERTIFIED_MINIMUM = 3  # R3


class LinkageKind(Labelled):
    """What a linkage is for."""

    OPERATING_CONTRACT = "operating_contract", "运营服务购买合同"
    SUPERVISION = "supervision", "督导"
    PRACTICE_BASE = "practice_base", "实践基地"
    RESEARCH_BASE = "research_base", "理论研究基地"
    TEACHING_BASE = "teaching_base", "教学实践基地"
    CASE_BASE = "case_base", "优秀案例基地"
    RESOURCE_PARTNER = "resource_partner", "资源合作"
    PAIRING = "pairing", "结对"


class PartnerType(Labelled):
    """Which registry the other end of a linkage is in."""

    ORGANISATION = "organisation", "社会组织"
    UNIVERSITY = "university", "高校"
    VOLUNTEER_TEAM = "volunteer_team", "志愿服务队"
    CHARITY_RESOURCE = "charity_resource", "慈善资源"
    SOCIAL_WORKER = "social_worker", "社会工作者"
    STATION = "station", "社会工作站"


class LinkageStatus(Labelled):
    """Where a linkage stands: active ⇄ suspended, either → ended (final)."""

    ACTIVE = "active", "有效"
    SUSPENDED = "suspended", "暂停"
    ENDED = "ended", "终止"


ALLOWED_PARTNERS: dict[LinkageKind, frozenset[PartnerType]] = {
    LinkageKind.OPERATING_CONTRACT: frozenset({PartnerType.ORGANISATION}),
    LinkageKind.SUPERVISION: frozenset(
        {PartnerType.SOCIAL_WORKER, PartnerType.ORGANISATION, PartnerType.UNIVERSITY}
    ),
    LinkageKind.PRACTICE_BASE: frozenset({PartnerType.UNIVERSITY}),
    LinkageKind.RESEARCH_BASE: frozenset({PartnerType.UNIVERSITY}),
    LinkageKind.TEACHING_BASE: frozenset({PartnerType.UNIVERSITY}),
    LinkageKind.CASE_BASE: frozenset({PartnerType.UNIVERSITY}),
    LinkageKind.RESOURCE_PARTNER: frozenset(
        {
            PartnerType.ORGANISATION,
            PartnerType.CHARITY_RESOURCE,
            PartnerType.VOLUNTEER_TEAM,
            PartnerType.UNIVERSITY,
        }
    ),
    LinkageKind.PAIRING: frozenset({PartnerType.STATION}),
}

URBAN = frozenset({DivisionKind.DISTRICT})
RURAL = frozenset({DivisionKind.COUNTY, DivisionKind.COUNTY_LEVEL_CITY})

_NEXT_STATUSES: dict[LinkageStatus, frozenset[LinkageStatus]] = {
    LinkageStatus.ACTIVE: frozenset({LinkageStatus.SUSPENDED, LinkageStatus.ENDED}),
    LinkageStatus.SUSPENDED: frozenset({LinkageStatus.ACTIVE, LinkageStatus.ENDED}),
    LinkageStatus.ENDED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class PartnerFacts:
    """What the rules need to know about the other end of a proposed linkage."""

    partner_type: PartnerType
    is_social_work_agency: bool = False
    is_supervisor: bool = False
    offers_supervision: bool = False
    is_same_station: bool = False
    is_withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class ProposedLinkage:
    """A linkage as asked for (or as it would stand after a change)."""

    kind: LinkageKind
    starts_on: date
    ends_on: date | None
    status: LinkageStatus = LinkageStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class LinkageWarning:
    """Advice that does not block the change."""

    code: str
    message: str
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class Tie:
    """The two ends of a linkage: a station and a partner of some type."""

    station_id: uuid.UUID
    partner_type: PartnerType
    partner_id: uuid.UUID

    def joins_same_ends_as(self, other: Tie) -> bool:
        """The same ends; a pairing registered from the other station's side counts too."""
        if self == other:
            return True
        return (
            self.partner_type is PartnerType.STATION
            and other.partner_type is PartnerType.STATION
            and self.station_id == other.partner_id
            and self.partner_id == other.station_id
        )

    def involves_station(self, station_id: uuid.UUID) -> bool:
        """Whether the station is one of the ends (either side of a pairing)."""
        return self.station_id == station_id or (
            self.partner_type is PartnerType.STATION and self.partner_id == station_id
        )

    def involves_organisation(self, organisation_id: uuid.UUID) -> bool:
        """Whether the organisation is the partner end."""
        return self.partner_type is PartnerType.ORGANISATION and self.partner_id == organisation_id

    def seen_by(self, caller: Caller) -> bool:
        """Whether the caller sees this linkage: the bureau's clients all; a bound one those its
        station or organisation is an end of."""
        if caller.station_id is not None:
            return self.involves_station(caller.station_id)
        if caller.organisation_id is not None:
            return self.involves_organisation(caller.organisation_id)
        return True

    def other_end(self, station_id: uuid.UUID) -> tuple[PartnerType, uuid.UUID]:
        """The partner as `station_id` sees it: a pairing's other station from either side."""
        if self.partner_type is PartnerType.STATION and self.partner_id == station_id:
            return PartnerType.STATION, self.station_id
        return self.partner_type, self.partner_id


@dataclass(frozen=True, slots=True)
class DatedLinkage:
    """A linkage as the duplicate rule sees it."""

    id: uuid.UUID | None
    tie: Tie
    kind: LinkageKind
    starts_on: date
    ends_on: date | None
    status: LinkageStatus


def period_problems(starts_on: date, ends_on: date | None) -> list[FieldProblem]:
    """A linkage ends on or after the day it starts (both days inclusive)."""
    if ends_on is not None and ends_on < starts_on:
        return [
            FieldProblem(
                "ends_on",
                f"{ends_on.isoformat()} is before starts_on {starts_on.isoformat()}",
                code="window_ends_before_start",
            )
        ]
    return []


def partner_type_problems(kind: LinkageKind, partner_type: PartnerType) -> list[FieldProblem]:
    """A kind of linkage ties a station to certain partner types only (ALLOWED_PARTNERS)."""
    allowed = ALLOWED_PARTNERS[kind]
    if partner_type in allowed:
        return []
    names = ", ".join(sorted(p.value for p in allowed))
    return [
        FieldProblem(
            "partner_type",
            f"{a(kind)} linkage ties a station to {names}, not {a(partner_type)}",
            code="partner_type_not_allowed",
        )
    ]


def linkage_problems(
    linkage: ProposedLinkage, partner: PartnerFacts, *, station_mode: OperatingMode | None
) -> list[FieldProblem]:
    """Every rule a linkage breaks (empty: allowed)."""
    problems = period_problems(linkage.starts_on, linkage.ends_on)
    if wrong_type := partner_type_problems(linkage.kind, partner.partner_type):
        return problems + wrong_type
    if linkage.kind is LinkageKind.OPERATING_CONTRACT:
        if not partner.is_social_work_agency:
            problems.append(
                FieldProblem(
                    "partner_id",
                    "an operating contract is only with a professional social work agency",
                    code="not_a_social_work_agency",
                    rule="R9",
                )
            )
        if station_mode is not OperatingMode.PURCHASED_SERVICE:
            problems.append(
                FieldProblem(
                    "station_id",
                    "only a station run by purchased service has an operating contract",
                    code="station_not_purchased_service",
                    rule="R9",
                )
            )
    if linkage.kind is LinkageKind.SUPERVISION and not _can_supervise(partner):
        problems.append(
            FieldProblem(
                "partner_id",
                "supervision needs a recognised supervisor, a social work agency or a"
                " university that offers supervision",
                code="not_a_supervisor",
                rule="R10",
            )
        )
    if linkage.kind is LinkageKind.PAIRING and partner.is_same_station:
        problems.append(
            FieldProblem(
                "partner_id", "a station cannot pair with itself", code="pairing_with_itself"
            )
        )
    if partner.is_withdrawn and linkage.status is not LinkageStatus.ENDED:
        problems.append(
            FieldProblem(
                "partner_id",
                "the partner has withdrawn from the network; only an ended linkage can name it",
                code="partner_withdrawn",
            )
        )
    return problems


def _can_supervise(partner: PartnerFacts) -> bool:
    if partner.partner_type is PartnerType.SOCIAL_WORKER:
        return partner.is_supervisor
    if partner.partner_type is PartnerType.ORGANISATION:
        return partner.is_social_work_agency
    if partner.partner_type is PartnerType.UNIVERSITY:
        return partner.offers_supervision
    return False


def linkage_warnings(
    kind: LinkageKind, starts_on: date, ends_on: date | None
) -> list[LinkageWarning]:
    """Advice on a linkage: R10 asks supervisors to stay 3–5 years."""
    if kind is LinkageKind.SUPERVISION and supervision_term_is_short(starts_on, ends_on):
        return [
            LinkageWarning(
                code="supervision_term_short",
                message=f"supervisors should stay 3–5 years; this term is shorter than"
                f" {SUPERVISION_MIN_YEARS} years",
                rule="R10",
            )
        ]
    return []


def supervision_term_is_short(starts_on: date, ends_on: date | None) -> bool:
    """Whether a term (last day included) ends before its third anniversary.

    Counted in calendar years, so 2025-01-01 to 2027-12-31 is exactly three years; an open term
    is not short. Compared as (year, month, day) so that dates near 9999 cannot overflow.
    """
    if ends_on is None:
        return False
    return day_after(ends_on) < anniversary(starts_on, SUPERVISION_MIN_YEARS)


def day_after(day: date) -> tuple[int, int, int]:
    """The day after, as (year, month, day), defined even for the last representable date."""
    if day == date.max:
        return day.year + 1, 1, 1
    following = day + timedelta(days=1)
    return following.year, following.month, following.day


def anniversary(day: date, years: int) -> tuple[int, int, int]:
    """The same day `years` later; 29 February falls on 1 March in a common year."""
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return year, 3, 1
    return year, day.month, day.day


def periods_overlap(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Whether two date ranges (open-ended when the end is None, ends inclusive) share a day."""
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def duplicate_of(linkage: DatedLinkage, others: Iterable[DatedLinkage]) -> DatedLinkage | None:
    """The first live linkage `linkage` would duplicate: same kind, same ends, a shared day.

    Ended linkages are history and duplicate nothing; neither does the linkage itself.
    """
    if linkage.status is LinkageStatus.ENDED:
        return None
    for other in others:
        if (
            other.id != linkage.id
            and other.status is not LinkageStatus.ENDED
            and other.kind is linkage.kind
            and linkage.tie.joins_same_ends_as(other.tie)
            and periods_overlap(linkage.starts_on, linkage.ends_on, other.starts_on, other.ends_on)
        ):
            return other
    return None


def transition_allowed(current: LinkageStatus, wanted: LinkageStatus) -> bool:
    """Active and suspended alternate; ended is final (a new agreement is a new linkage)."""
    return current is wanted or wanted in _NEXT_STATUSES[current]


def is_urban_rural_pair(first: DivisionKind, second: DivisionKind) -> bool:
    """R16: a district's station paired with a county's or county-level city's."""
    return (first in URBAN and second in RURAL) or (first in RURAL and second in URBAN)


def urban_rural(
    kind: LinkageKind, station_district: DivisionKind, partner_district: DivisionKind | None
) -> bool:
    """Whether a linkage is an urban–rural pairing (R16)."""
    return (
        kind is LinkageKind.PAIRING
        and partner_district is not None
        and is_urban_rural_pair(station_district, partner_district)
    )


@dataclass(frozen=True, slots=True)
class Staffing:
    """The social workers who serve a station, counted as R3 counts them."""

    count: int = 0
    certified: int = 0
    full_time_certified: int = 0

    @property
    def r3_compliant(self) -> bool:
        """R3: at least three full-time certified social workers (专职持证社会工作者)."""
        return self.full_time_certified >= FULL_TIME_CERTIFIED_MINIMUM


def staffing(groups: Iterable[tuple[CertificateLevel, Employment, int]]) -> Staffing:
    """Totals from head counts per (certificate level, employment)."""
    count = certified = full_time_certified = 0
    for level, employment, heads in groups:
        count += heads
        if is_certified(level):
            certified += heads
            if employment is Employment.FULL_TIME:
                full_time_certified += heads
    return Staffing(count, certified, full_time_certified)


@dataclass(frozen=True, slots=True)
class LinkageFilter:
    """The filters of GET /v1/linkages.

    `station_id` looks from that station's side: its own linkages and pairings another station
    registered with it; `partner_type` and `partner_id` then name the other end as it sees it.
    `visible_to` (set for station-bound clients) keeps the linkages that station is an end of;
    `visible_to_organisation` (organisation-bound clients) those the organisation is partner in.
    """

    station_id: uuid.UUID | None = None
    kind: LinkageKind | None = None
    partner_type: PartnerType | None = None
    partner_id: uuid.UUID | None = None
    status: LinkageStatus | None = None
    active_on: date | None = None
    visible_to: uuid.UUID | None = None
    visible_to_organisation: uuid.UUID | None = None
