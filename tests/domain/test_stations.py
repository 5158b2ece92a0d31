"""Stations: R1 names, R2 townships, R8 service lists, R17 demonstration, the status machine."""

from __future__ import annotations

import itertools
from dataclasses import replace
from enum import Enum
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.divisions import Division, DivisionLevel
from service.domain.errors import FieldProblem
from service.domain.geo import Point
from service.domain.stations import (
    ServiceItem,
    StationProfile,
    default_office_name,
    name_problems,
    official_station_name,
    profile_problems,
    township_problems,
    transition_allowed,
)
from service.domain.vocabulary import (
    Facility,
    FocusGroup,
    ManagementSystem,
    OperatingMode,
    ServiceItemCategory,
    Specialty,
    StationStatus,
)

E = TypeVar("E", bound=Enum)
YEAR = 2025
XIHU = Division("330106", "西湖区", DivisionLevel.DISTRICT, "3301")
BEISHAN = Division("330106002", "北山街道", DivisionLevel.TOWNSHIP, "330106")
JIANDE = Division("330182", "建德市", DivisionLevel.DISTRICT, "3301")
XINANJIANG = Division("330182001", "新安江街道", DivisionLevel.TOWNSHIP, "330182")
CHUN_AN = Division("330127", "淳安县", DivisionLevel.DISTRICT, "3301")
LISHANG = Division("330127200", "里商乡", DivisionLevel.TOWNSHIP, "330127")
HONGSHAN_FARM = Division("330109503", "红山农场", DivisionLevel.TOWNSHIP, "330109")

S = StationStatus
ALLOWED_MOVES = {
    (S.PLANNED, S.BUILDING),
    (S.PLANNED, S.OPERATING),
    (S.BUILDING, S.PLANNED),
    (S.BUILDING, S.OPERATING),
    (S.OPERATING, S.SUSPENDED),
    (S.SUSPENDED, S.OPERATING),
}


def codes(problems: list[FieldProblem]) -> list[str]:
    return [p.code for p in problems]


# --- R1 names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("district", "township", "name"),
    [
        (XIHU, BEISHAN, "杭州市西湖区北山街道社会工作站"),
        (JIANDE, XINANJIANG, "杭州市建德市新安江街道社会工作站"),
        (CHUN_AN, LISHANG, "杭州市淳安县里商乡社会工作站"),
    ],
)
def test_official_station_name(district: Division, township: Division, name: str) -> None:
    assert official_station_name(district, township) == name


def test_default_office_name() -> None:
    assert default_office_name("清波门社区") == "清波门社区特色社会工作室"


@pytest.mark.parametrize("given_name", [None, "杭州市西湖区北山街道社会工作站"])
def test_name_problems_accepts_no_name_or_the_official_one(given_name: str | None) -> None:
    assert name_problems(given_name, "杭州市西湖区北山街道社会工作站") == []


@pytest.mark.parametrize(
    "given_name",
    [
        "北山街道社会工作站",
        "西湖区北山街道社会工作站",
        "杭州市西湖区北山街道社工站",
        "杭州市西湖区北山街道社会工作站 ",
        "",
    ],
)
def test_name_problems_rejects_any_other_name(given_name: str) -> None:
    [problem] = name_problems(given_name, "杭州市西湖区北山街道社会工作站")
    assert (problem.field, problem.code, problem.rule) == (
        "name",
        "station_name_not_official",
        "R1",
    )


# --- R2 townships ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "township"),
    [
        ("330106999", None),
        ("330106", XIHU),
        ("3301", Division("3301", "杭州市", DivisionLevel.CITY, None)),
        (
            "330102001051",
            Division("330102001051", "清波门社区", DivisionLevel.COMMUNITY, "330102001"),
        ),
    ],
)
def test_township_problems_unknown_division(code: str, township: Division | None) -> None:
    [problem] = township_problems(code, township)
    assert (problem.field, problem.code) == ("township_code", "unknown_division")


@pytest.mark.parametrize("code", ["330109401", "330109503", "330109599"])
def test_township_problems_non_township_unit_is_not_eligible(code: str) -> None:
    [problem] = township_problems(code, replace(HONGSHAN_FARM, code=code))
    assert (problem.field, problem.code, problem.rule) == (
        "township_code",
        "township_not_eligible",
        "R2",
    )


@pytest.mark.parametrize("township", [BEISHAN, XINANJIANG, LISHANG])
def test_township_problems_street_town_township_are_eligible(township: Division) -> None:
    assert township_problems(township.code, township) == []


# --- profiles --------------------------------------------------------------------------------


def test_empty_profile_is_valid() -> None:
    assert profile_problems(StationProfile(), current_year=YEAR) == []


def test_administrative_affairs_item_is_refused_with_its_index() -> None:
    profile = StationProfile(
        service_items=(
            ServiceItem("个案辅导", ServiceItemCategory.CASEWORK),
            ServiceItem("代办低保审批", ServiceItemCategory.TOWNSHIP_ADMINISTRATIVE_AFFAIRS),
            ServiceItem("老年人探访", ServiceItemCategory.ELDERLY_CARE),
            ServiceItem("征地拆迁协调", ServiceItemCategory.TOWNSHIP_ADMINISTRATIVE_AFFAIRS),
        )
    )
    problems = profile_problems(profile, current_year=YEAR)
    assert [(p.field, p.code, p.rule) for p in problems] == [
        ("service_items[1].category", "administrative_affairs_not_service", "R8"),
        ("service_items[3].category", "administrative_affairs_not_service", "R8"),
    ]


@pytest.mark.parametrize(
    "category",
    [
        c
        for c in ServiceItemCategory
        if c is not ServiceItemCategory.TOWNSHIP_ADMINISTRATIVE_AFFAIRS
    ],
)
def test_every_service_category_but_administrative_affairs_is_accepted(
    category: ServiceItemCategory,
) -> None:
    profile = StationProfile(service_items=(ServiceItem("服务", category),))
    assert profile_problems(profile, current_year=YEAR) == []


@pytest.mark.parametrize(
    ("status", "ok"),
    [(S.PLANNED, False), (S.BUILDING, False), (S.OPERATING, True), (S.SUSPENDED, True)],
)
def test_demonstration_needs_a_running_station(status: StationStatus, ok: bool) -> None:
    profile = StationProfile(status=status, is_demonstration=True, demonstration_year=2023)
    expected = [] if ok else [("is_demonstration", "demonstration_needs_operation", "R17")]
    problems = profile_problems(profile, current_year=YEAR)
    assert [(p.field, p.code, p.rule) for p in problems] == expected


def test_demonstration_needs_a_year() -> None:
    profile = StationProfile(status=S.OPERATING, is_demonstration=True)
    problems = profile_problems(profile, current_year=YEAR)
    assert [(p.field, p.code) for p in problems] == [
        ("demonstration_year", "demonstration_year_required")
    ]


def test_demonstration_year_without_demonstration() -> None:
    profile = StationProfile(status=S.OPERATING, demonstration_year=2023)
    problems = profile_problems(profile, current_year=YEAR)
    assert [(p.field, p.code) for p in problems] == [
        ("demonstration_year", "demonstration_year_without_demonstration")
    ]


@pytest.mark.parametrize(
    ("year", "ok"),
    [(2019, False), (2020, False), (2021, True), (2023, True), (2025, True), (2026, False)],
)
def test_demonstration_year_lies_between_2021_and_this_year(year: int, ok: bool) -> None:
    profile = StationProfile(status=S.OPERATING, is_demonstration=True, demonstration_year=year)
    problems = profile_problems(profile, current_year=YEAR)
    assert codes(problems) == ([] if ok else ["demonstration_year_out_of_range"])
    assert all(p.field == "demonstration_year" for p in problems)


HANGZHOU_POINTS = {
    "West Lake": Point(30.25, 120.14),
    "淳安 千岛湖": Point(29.6, 119.0),
    "建德": Point(29.47, 119.28),
    "临平": Point(30.42, 120.30),
    "钱塘 下沙": Point(30.31, 120.35),
}
OUTSIDE_POINTS = {
    "Shanghai": Point(31.23, 121.47),
    "Ningbo": Point(29.87, 121.55),
    "Nanjing": Point(32.06, 118.80),
    "Huzhou": Point(30.87, 120.09),
    "Beijing": Point(39.90, 116.40),
    "West Lake, lat/lon swapped": Point(120.14, 30.25),
    "null island": Point(0.0, 0.0),
}


@pytest.mark.parametrize("point", HANGZHOU_POINTS.values(), ids=HANGZHOU_POINTS.keys())
def test_location_inside_hangzhou_is_accepted(point: Point) -> None:
    assert profile_problems(StationProfile(location=point), current_year=YEAR) == []


@pytest.mark.parametrize("point", OUTSIDE_POINTS.values(), ids=OUTSIDE_POINTS.keys())
def test_location_outside_hangzhou_is_refused(point: Point) -> None:
    [problem] = profile_problems(StationProfile(location=point), current_year=YEAR)
    assert (problem.field, problem.code) == ("location", "location_outside_hangzhou")


def test_problems_accumulate() -> None:
    profile = StationProfile(
        status=S.PLANNED,
        is_demonstration=True,
        demonstration_year=2019,
        service_items=(ServiceItem("代办", ServiceItemCategory.TOWNSHIP_ADMINISTRATIVE_AFFAIRS),),
        location=OUTSIDE_POINTS["Shanghai"],
    )
    assert sorted(codes(profile_problems(profile, current_year=YEAR))) == [
        "administrative_affairs_not_service",
        "demonstration_needs_operation",
        "demonstration_year_out_of_range",
        "location_outside_hangzhou",
    ]


# --- properties ------------------------------------------------------------------------------


def subsets(enum: type[E]) -> st.SearchStrategy[frozenset[E]]:
    return st.frozensets(st.sampled_from(list(enum)))


ALLOWED_CATEGORIES = [
    c for c in ServiceItemCategory if c is not ServiceItemCategory.TOWNSHIP_ADMINISTRATIVE_AFFAIRS
]


@given(
    status=st.sampled_from(list(S)),
    mode=st.none() | st.sampled_from(list(OperatingMode)),
    facilities=subsets(Facility),
    systems=subsets(ManagementSystem),
    specialties=subsets(Specialty),
    focus_groups=subsets(FocusGroup),
    items=st.lists(st.builds(ServiceItem, st.text(), st.sampled_from(ALLOWED_CATEGORIES))),
)
def test_profile_without_demonstration_location_or_admin_items_is_valid(
    status: StationStatus,
    mode: OperatingMode | None,
    facilities: frozenset[Facility],
    systems: frozenset[ManagementSystem],
    specialties: frozenset[Specialty],
    focus_groups: frozenset[FocusGroup],
    items: list[ServiceItem],
) -> None:
    profile = StationProfile(
        status=status,
        operating_mode=mode,
        facilities=facilities,
        management_systems=systems,
        specialties=specialties,
        focus_groups=focus_groups,
        service_items=tuple(items),
    )
    assert profile_problems(profile, current_year=YEAR) == []


@given(
    status=st.sampled_from(list(S)),
    is_demonstration=st.booleans(),
    year=st.none() | st.integers(min_value=1990, max_value=2060),
    current_year=st.integers(min_value=2021, max_value=2040),
    categories=st.lists(st.sampled_from(list(ServiceItemCategory)), max_size=6),
    location=st.none() | st.builds(Point, st.floats(-90, 90), st.floats(-180, 180)),
)
def test_every_problem_names_a_field_and_a_code(
    status: StationStatus,
    is_demonstration: bool,
    year: int | None,
    current_year: int,
    categories: list[ServiceItemCategory],
    location: Point | None,
) -> None:
    profile = StationProfile(
        status=status,
        is_demonstration=is_demonstration,
        demonstration_year=year,
        service_items=tuple(ServiceItem("服务", c) for c in categories),
        location=location,
    )
    problems = profile_problems(profile, current_year=current_year)
    for problem in problems:
        assert problem.field and problem.code and problem.message
        assert problem.code != "invalid"
    admin = sum(c is ServiceItemCategory.TOWNSHIP_ADMINISTRATIVE_AFFAIRS for c in categories)
    assert codes(problems).count("administrative_affairs_not_service") == admin


# --- status transitions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "new"), list(itertools.product(StationStatus, StationStatus)), ids=str
)
def test_transition_table(current: StationStatus, new: StationStatus) -> None:
    expected = current == new or (current, new) in ALLOWED_MOVES
    assert transition_allowed(current, new) is expected
