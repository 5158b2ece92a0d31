"""What volunteers, their teams and charity resources offer: the rules of their records.

A volunteer's home is kept only approximately (R19 needs distance, not an address); a charity
resource is counted in the unit its kind is measured in, never gives more than it has, and is
available only while it is active, valid and not used up.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from service.domain.errors import FieldProblem
from service.domain.geo import HANGZHOU, Point
from service.domain.offerings import QuantityUnit, TargetGroup
from service.domain.partners import CharityResourceKind, PartnerFilter, PartnerStatus
from service.domain.vocabulary import Labelled

# Two decimal places of a degree: about 1.1 km north–south and 1 km east–west in Hangzhou.
HOME_PRECISION_DECIMALS = 2

# How each kind of charity resource is counted. Funds in yuan; goods by the item; a venue by its
# floor area, by the sessions or by the hours it can be booked; a project by the people it
# serves, its sessions or its service hours.
UNITS_BY_KIND: dict[CharityResourceKind, tuple[QuantityUnit, ...]] = {
    CharityResourceKind.FUNDS: (QuantityUnit.YUAN,),
    CharityResourceKind.GOODS: (QuantityUnit.ITEMS,),
    CharityResourceKind.VENUE: (
        QuantityUnit.SQUARE_METRES,
        QuantityUnit.SESSIONS,
        QuantityUnit.HOURS,
    ),
    CharityResourceKind.PROJECT: (
        QuantityUnit.PEOPLE,
        QuantityUnit.SESSIONS,
        QuantityUnit.HOURS,
    ),
}


class ResourceAvailability(Labelled):
    """Whether a charity resource can be drawn on today, and if not, why."""

    AVAILABLE = "available", "可用"
    EXHAUSTED = "exhausted", "已用完"
    EXPIRED = "expired", "已过期"
    NOT_YET_VALID = "not_yet_valid", "未生效"
    WITHDRAWN = "withdrawn", "已撤回"


def approximate_home(point: Point) -> Point:
    """A volunteer's home as stored: rounded to 0.01° (about 1 km), never the exact address."""
    return Point(
        round(point.lat, HOME_PRECISION_DECIMALS), round(point.lon, HOME_PRECISION_DECIMALS)
    )


def home_problems(point: Point | None, *, field: str = "home_location") -> list[FieldProblem]:
    """A volunteer's home, when given, lies inside Hangzhou."""
    if point is None or HANGZHOU.contains(point):
        return []
    return [
        FieldProblem(
            field,
            f"({point.lat}, {point.lon}) lies outside Hangzhou",
            code="location_outside_hangzhou",
        )
    ]


def unit_problems(kind: CharityResourceKind, unit: QuantityUnit) -> list[FieldProblem]:
    """A charity resource is counted in a unit its kind is measured in (`UNITS_BY_KIND`)."""
    allowed = UNITS_BY_KIND[kind]
    if unit in allowed:
        return []
    return [
        FieldProblem(
            "unit",
            f"{kind.value} is counted in {', '.join(u.value for u in allowed)}, not {unit.value}",
            code="unit_not_for_kind",
        )
    ]


def quantity_problems(total: int, remaining: int) -> list[FieldProblem]:
    """What is left of a resource is never more than it offered."""
    if remaining <= total:
        return []
    return [
        FieldProblem(
            "remaining_quantity",
            f"{remaining} remaining exceeds the total of {total}",
            code="remaining_exceeds_total",
        )
    ]


def resource_availability(
    *,
    status: PartnerStatus,
    remaining: int,
    valid_from: date | None,
    valid_until: date | None,
    today: date,
) -> ResourceAvailability:
    """Why a resource can or cannot be drawn on today.

    A resource that is not active (paused or withdrawn by its organisation) is `withdrawn`; then
    the validity window decides (`expired` after its last day, `not_yet_valid` before its first);
    then what is left (`exhausted` at zero).
    """
    if status is not PartnerStatus.ACTIVE:
        return ResourceAvailability.WITHDRAWN
    if valid_until is not None and today > valid_until:
        return ResourceAvailability.EXPIRED
    if valid_from is not None and today < valid_from:
        return ResourceAvailability.NOT_YET_VALID
    if remaining <= 0:
        return ResourceAvailability.EXHAUSTED
    return ResourceAvailability.AVAILABLE


@dataclass(frozen=True, slots=True)
class VolunteerFilter(PartnerFilter):
    """The filters of GET /v1/volunteers; `available_weekday` is an ISO weekday (1 Monday)."""

    available_weekday: int | None = None


@dataclass(frozen=True, slots=True)
class VolunteerTeamFilter(PartnerFilter):
    """The filters of GET /v1/volunteer-teams."""

    leading_organisation_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class CharityResourceFilter:
    """The filters of GET /v1/charity-resources."""

    organisation_id: uuid.UUID | None = None
    kind: CharityResourceKind | None = None
    target_group: TargetGroup | None = None
    division_code: str | None = None
    status: PartnerStatus | None = None
    available_on: date | None = None
    has_remaining: bool | None = None
    title_contains: str | None = None
