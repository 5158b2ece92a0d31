"""The five societies' partners: who they are, what they offer, where, how much and when.

Organisations (社会组织, social work agencies, charities, foundations, enterprises), social workers
(社会工作者), volunteers (社区志愿者) and their teams, charity resources (社会慈善资源) and
universities (高校, R15).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time

from service.domain.errors import FieldProblem
from service.domain.vocabulary import Labelled


class PartnerStatus(Labelled):
    """Whether a partner takes part in the network now."""

    ACTIVE = "active", "活跃"
    INACTIVE = "inactive", "暂停"
    WITHDRAWN = "withdrawn", "退出"


class OrganisationKind(Labelled):
    """What an organisation is to the network."""

    SOCIAL_ORGANISATION = "social_organisation", "社会组织"
    SOCIAL_WORK_AGENCY = "social_work_agency", "社会工作服务机构"
    CHARITY = "charity", "慈善组织"
    FOUNDATION = "foundation", "基金会"
    ENTERPRISE = "enterprise", "企业"
    PUBLIC_INSTITUTION = "public_institution", "事业单位"


class CertificateLevel(Labelled):
    """National social work qualification (社会工作者职业资格)."""

    NONE = "none", "未持证"
    ASSISTANT = "assistant", "助理社会工作师"
    INTERMEDIATE = "intermediate", "社会工作师"
    SENIOR = "senior", "高级社会工作师"


class Employment(Labelled):
    """How a social worker is employed."""

    FULL_TIME = "full_time", "专职"
    PART_TIME = "part_time", "兼职"


class SupervisorLevel(Labelled):
    """Recognised supervision talent (督导人才), R10."""

    NONE = "none", "无"
    MUNICIPAL = "municipal", "市级督导"
    PROVINCIAL = "provincial", "省级督导"
    NATIONAL = "national", "国家级督导"


class UniversityOffer(Labelled):
    """What a university partner offers (R15)."""

    PRACTICE_BASE = "practice_base", "实践基地"
    INTERNSHIP = "internship", "实习"
    RESEARCH = "research", "研究"
    SUPERVISION = "supervision", "督导"
    TRAINING = "training", "培训"


class CharityResourceKind(Labelled):
    """What a charity resource is."""

    FUNDS = "funds", "资金"
    GOODS = "goods", "物资"
    VENUE = "venue", "场地"
    PROJECT = "project", "公益项目"


class TeamRole(Labelled):
    """A volunteer's place in a team."""

    LEADER = "leader", "队长"
    MEMBER = "member", "队员"


CERTIFIED_LEVELS = frozenset(
    {CertificateLevel.ASSISTANT, CertificateLevel.INTERMEDIATE, CertificateLevel.SENIOR}
)


def is_certified(level: CertificateLevel) -> bool:
    """R3, R5: holds a social work certificate (持证)."""
    return level in CERTIFIED_LEVELS


def is_supervisor(level: SupervisorLevel) -> bool:
    """R10: recognised as a supervisor at some level."""
    return level is not SupervisorLevel.NONE


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """A recurring slot: ISO weekday (1 Monday … 7 Sunday), from `start` to `end` local time."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class DateException:
    """A date on which the weekly pattern does not hold."""

    on: date
    available: bool


def availability_problems(
    windows: Sequence[WeeklyWindow], exceptions: Sequence[DateException], *, field: str
) -> list[FieldProblem]:
    """Windows end after they start and do not overlap; an exception names a date once."""
    problems = [
        FieldProblem(
            f"{field}.weekly[{index}]",
            f"ends at {window.end.isoformat('minutes')}, not after it starts",
            code="window_ends_before_start",
        )
        for index, window in enumerate(windows)
        if window.end <= window.start
    ]
    ordered = sorted((w for w in windows if w.end > w.start), key=lambda w: (w.weekday, w.start))
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.weekday == later.weekday and later.start < earlier.end:
            problems.append(
                FieldProblem(
                    f"{field}.weekly",
                    f"two windows overlap on weekday {later.weekday}",
                    code="windows_overlap",
                )
            )
    seen: set[date] = set()
    for exception in exceptions:
        if exception.on in seen:
            problems.append(
                FieldProblem(
                    f"{field}.exceptions",
                    f"{exception.on.isoformat()} is listed twice",
                    code="duplicate_exception",
                )
            )
        seen.add(exception.on)
    return problems


def availability_required(
    windows: Sequence[WeeklyWindow],
    exceptions: Sequence[DateException],
    *,
    active: bool,
    field: str,
) -> list[FieldProblem]:
    """An active volunteer is matched only within their availability, so one with neither a
    weekly slot nor a date on which they are available could never be matched: refused, rather
    than registered and silently passed over. An inactive one needs none."""
    if not active or windows or any(exception.available for exception in exceptions):
        return []
    return [
        FieldProblem(
            f"{field}.weekly",
            "missing: an active volunteer needs at least one weekly slot (or a date they are"
            " available), else they could never be matched; register them with status"
            " inactive until they can serve",
            code="availability_required",
        )
    ]


def validity_problems(valid_from: date | None, valid_until: date | None) -> list[FieldProblem]:
    """A resource's validity window ends on or after the day it starts."""
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        return [
            FieldProblem(
                "valid_until",
                f"{valid_until.isoformat()} is before valid_from {valid_from.isoformat()}",
                code="window_ends_before_start",
            )
        ]
    return []


def distinct(values: Iterable[str]) -> list[str]:
    """Values once each, in first-seen order."""
    return list(dict.fromkeys(values))


def service_area_problems(
    codes: Sequence[str], known: set[str], *, field: str = "service_area"
) -> list[FieldProblem]:
    """Every code of a service area is a Hangzhou division (any level)."""
    return [
        FieldProblem(
            f"{field}[{index}]",
            f"{code} is not a Hangzhou division code",
            code="unknown_division",
        )
        for index, code in enumerate(codes)
        if code not in known
    ]


def covers(service_area: Iterable[str], division_code: str) -> bool:
    """A service area covers a division when it names it or a division it lies in."""
    return any(division_code.startswith(code) for code in service_area)


@dataclass(frozen=True, slots=True)
class PartnerFilter:
    """Filters every partner registry offers: where, what, status, name."""

    division_code: str | None = None
    status: PartnerStatus | None = None
    skill: str | None = None
    name_contains: str | None = None


@dataclass(frozen=True, slots=True)
class OrganisationFilter(PartnerFilter):
    """The filters of GET /v1/organisations."""

    kind: OrganisationKind | None = None
    category: str | None = None
    is_charity: bool | None = None
    is_social_work_agency: bool | None = None
