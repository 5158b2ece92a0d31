"""The linkage graph (五社联动): typed, dated ties between a station and its partners.

Rules: an operating contract binds a professional social work agency to a station run by
purchased service (R9), one active at a time; supervision needs a recognised supervisor, a social
work agency or a university that supervises, and should last 3–5 years (R10); practice, research,
teaching and case bases are university ties (R15); pairing joins two stations, urban–rural pairs
being what R16 encourages; resource partners are the charity, enterprise and university
resources a station links (R19).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from service.domain.divisions import DivisionKind
from service.domain.errors import FieldProblem
from service.domain.vocabulary import Labelled, OperatingMode

SUPERVISION_MIN_YEARS = 3


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
    """Where a linkage stands."""

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


@dataclass(frozen=True, slots=True)
class PartnerFacts:
    """What the rules need to know about the other end of a proposed linkage."""

    partner_type: PartnerType
    is_social_work_agency: bool = False
    is_supervisor: bool = False
    offers_supervision: bool = False
    is_same_station: bool = False


@dataclass(frozen=True, slots=True)
class ProposedLinkage:
    """A linkage as asked for."""

    kind: LinkageKind
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True, slots=True)
class Warning:
    """Advice that does not block the change."""

    code: str
    message: str
    rule: str | None = None


def linkage_problems(
    linkage: ProposedLinkage, partner: PartnerFacts, *, station_mode: OperatingMode | None
) -> list[FieldProblem]:
    """Every rule a new linkage breaks (empty: allowed)."""
    problems: list[FieldProblem] = []
    allowed = ALLOWED_PARTNERS[linkage.kind]
    if partner.partner_type not in allowed:
        names = ", ".join(sorted(p.value for p in allowed))
        problems.append(
            FieldProblem(
                "partner_type",
                f"a {linkage.kind} linkage ties a station to {names}, not a {partner.partner_type}",
                code="partner_type_not_allowed",
            )
        )
        return problems
    if linkage.ends_on is not None and linkage.ends_on < linkage.starts_on:
        problems.append(
            FieldProblem(
                "ends_on",
                f"{linkage.ends_on} is before starts_on {linkage.starts_on}",
                code="window_ends_before_start",
            )
        )
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
    return problems


def _can_supervise(partner: PartnerFacts) -> bool:
    if partner.partner_type is PartnerType.SOCIAL_WORKER:
        return partner.is_supervisor
    if partner.partner_type is PartnerType.ORGANISATION:
        return partner.is_social_work_agency
    return partner.offers_supervision


def linkage_warnings(kind: LinkageKind, starts_on: date, ends_on: date | None) -> list[Warning]:
    """Advice on a linkage: R10 asks supervisors to stay 3–5 years."""
    if kind is LinkageKind.SUPERVISION and ends_on is not None:
        if _years_between(starts_on, ends_on) < SUPERVISION_MIN_YEARS:
            return [
                Warning(
                    code="supervision_term_short",
                    message="supervisors should stay 3–5 years; this term is shorter",
                    rule="R10",
                )
            ]
    return []


def _years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


def periods_overlap(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Whether two date ranges (open-ended when the end is None, ends inclusive) share a day."""
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def is_urban_rural_pair(first: DivisionKind, second: DivisionKind) -> bool:
    """R16: a district's station paired with a county's or county-level city's."""
    return (first in URBAN and second in RURAL) or (first in RURAL and second in URBAN)
