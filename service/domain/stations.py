"""Township/street social work stations (社会工作站) and community offices (社会工作室).

What a station must look like under 杭民发〔2021〕126号: its official name (R1), one per
township that needs one (R2), a service list without administrative affairs (R8), one of two
operating modes (R9), and demonstration status (R14, R17) only for a station that is running.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from service.domain.divisions import CITY_NAME, Division, DivisionLevel, needs_station
from service.domain.errors import FieldProblem, a
from service.domain.geo import HANGZHOU, Point
from service.domain.vocabulary import (
    Facility,
    FocusGroup,
    ManagementSystem,
    OperatingMode,
    ServiceItemCategory,
    Specialty,
    StationStatus,
)

FIRST_DEMONSTRATION_YEAR = 2021  # the policy's first target year (R14)

STATUS_TRANSITIONS: dict[StationStatus, frozenset[StationStatus]] = {
    StationStatus.PLANNED: frozenset({StationStatus.BUILDING, StationStatus.OPERATING}),
    StationStatus.BUILDING: frozenset({StationStatus.PLANNED, StationStatus.OPERATING}),
    StationStatus.OPERATING: frozenset({StationStatus.SUSPENDED}),
    StationStatus.SUSPENDED: frozenset({StationStatus.OPERATING}),
}

# A demonstration station is chosen from stations that run (R17); suspension does not revoke it.
DEMONSTRATION_STATUSES = frozenset({StationStatus.OPERATING, StationStatus.SUSPENDED})


@dataclass(frozen=True, slots=True)
class ServiceItem:
    """One entry of the station's published service list (R8)."""

    title: str
    category: ServiceItemCategory


@dataclass(frozen=True, slots=True)
class StationProfile:
    """Everything about a station that its operator may change."""

    status: StationStatus = StationStatus.PLANNED
    operating_mode: OperatingMode | None = None
    is_demonstration: bool = False
    demonstration_year: int | None = None
    facilities: frozenset[Facility] = frozenset()
    management_systems: frozenset[ManagementSystem] = frozenset()
    specialties: frozenset[Specialty] = frozenset()
    focus_groups: frozenset[FocusGroup] = frozenset()
    service_items: tuple[ServiceItem, ...] = field(default_factory=tuple)
    location: Point | None = None


def official_station_name(district: Division, township: Division) -> str:
    """R1: 杭州市 + district/county/city + township/street + 社会工作站."""
    return f"{CITY_NAME}{district.name}{township.name}社会工作站"


def default_office_name(community_name: str) -> str:
    """The name a community featured social work office takes when none is given."""
    return f"{community_name}特色社会工作室"


def township_problems(code: str, township: Division | None) -> list[FieldProblem]:
    """R2: a station sits in a real Hangzhou street, town or township (codes 001–399)."""
    if township is None or township.level is not DivisionLevel.TOWNSHIP:
        return [
            FieldProblem(
                "township_code",
                f"{code} is not a Hangzhou township-level division code",
                code="unknown_division",
            )
        ]
    if not needs_station(township.code):
        return [
            FieldProblem(
                "township_code",
                f"{code} ({township.name}) is a non-township unit (codes 400–599): no station",
                code="township_not_eligible",
                rule="R2",
            )
        ]
    return []


def name_problems(given: str | None, official: str) -> list[FieldProblem]:
    """R1: a given name must be the official one, character for character."""
    if given is not None and given != official:
        return [
            FieldProblem(
                "name",
                f"a station's name is its official name {official!r}, not {given!r}",
                code="station_name_not_official",
                rule="R1",
            )
        ]
    return []


def profile_problems(profile: StationProfile, *, current_year: int) -> list[FieldProblem]:
    """Every rule a station's profile must satisfy, as a list of field problems (empty: valid)."""
    problems: list[FieldProblem] = []
    for index, item in enumerate(profile.service_items):
        if item.category is ServiceItemCategory.TOWNSHIP_ADMINISTRATIVE_AFFAIRS:
            problems.append(
                FieldProblem(
                    f"service_items[{index}].category",
                    f"township administrative affairs ({item.title!r}) may not be service content",
                    code="administrative_affairs_not_service",
                    rule="R8",
                )
            )
    problems.extend(_demonstration_problems(profile, current_year=current_year))
    if profile.location is not None and not HANGZHOU.contains(profile.location):
        problems.append(
            FieldProblem(
                "location",
                f"({profile.location.lat}, {profile.location.lon}) lies outside Hangzhou",
                code="location_outside_hangzhou",
            )
        )
    return problems


def _demonstration_problems(
    profile: StationProfile, *, current_year: int
) -> Iterable[FieldProblem]:
    if profile.is_demonstration:
        if profile.status not in DEMONSTRATION_STATUSES:
            yield FieldProblem(
                "is_demonstration",
                f"{a(profile.status)} station cannot be a demonstration station; it must operate",
                code="demonstration_needs_operation",
                rule="R17",
            )
        if profile.demonstration_year is None:
            yield FieldProblem(
                "demonstration_year",
                "a demonstration station names the year it was designated",
                code="demonstration_year_required",
            )
    elif profile.demonstration_year is not None:
        yield FieldProblem(
            "demonstration_year",
            "only a demonstration station has a demonstration year",
            code="demonstration_year_without_demonstration",
        )
    year = profile.demonstration_year
    if year is not None and not FIRST_DEMONSTRATION_YEAR <= year <= current_year:
        yield FieldProblem(
            "demonstration_year",
            f"must lie between {FIRST_DEMONSTRATION_YEAR} and {current_year}",
            code="demonstration_year_out_of_range",
        )


def transition_allowed(current: StationStatus, new: StationStatus) -> bool:
    """Whether a station may move from one status to another (staying put is always allowed)."""
    return current == new or new in STATUS_TRANSITIONS[current]


@dataclass(frozen=True, slots=True)
class StationFilter:
    """The filters of GET /v1/stations."""

    district_code: str | None = None
    township_code: str | None = None
    status: StationStatus | None = None
    is_demonstration: bool | None = None
    specialty: Specialty | None = None


@dataclass(frozen=True, slots=True)
class OfficeFilter:
    """The filters of GET /v1/offices."""

    station_id: uuid.UUID | None = None
    district_code: str | None = None
    is_demonstration: bool | None = None
