"""What each rule says when it refuses, word for word: the detail and each field's message reach
the caller's screen (problem+json), so a garbled or empty one is a bug a test must catch."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from service.domain.divisions import Division, DivisionLevel
from service.domain.errors import Conflict, FieldProblem, a, rule_violation
from service.domain.geo import Point
from service.domain.offerings import QuantityUnit, ServiceCategory
from service.domain.partners import CertificateLevel, CharityResourceKind
from service.domain.people import PlaceOfService, certificate_problems, place_of_service
from service.domain.requests import (
    OfferStatus,
    RequestStatus,
    Window,
    check_editable,
    check_quantity,
    check_window_change,
    location_problems,
    move_offer,
    move_request,
    office_problems,
    place_problems,
    request_problems,
)
from service.domain.resources import home_problems, quantity_problems, unit_problems
from service.domain.stations import name_problems, township_problems

STATION = uuid.UUID(int=1)
OTHER_STATION = uuid.UUID(int=2)
OFFICE = uuid.UUID(int=3)
NOW = datetime(2026, 3, 14, 4, tzinfo=UTC)


def conflict_of(check, *args, **kwargs) -> tuple[str, str, dict]:
    with pytest.raises(Conflict) as raised:
        check(*args, **kwargs)
    return raised.value.code, raised.value.detail, raised.value.extra


# --- requests ------------------------------------------------------------------------------------


def window(starts_in: timedelta, lasts: timedelta) -> Window:
    return Window(NOW + starts_in, NOW + starts_in + lasts)


@pytest.mark.parametrize(
    ("category", "unit", "when", "problems"),
    [
        (
            ServiceCategory.VOLUNTEER_SERVICE,
            QuantityUnit.PEOPLE,
            window(timedelta(1), timedelta(hours=3)),
            [],
        ),
        (
            ServiceCategory.VOLUNTEER_SERVICE,
            QuantityUnit.PEOPLE,
            window(timedelta(1), timedelta(days=366)),
            [],
        ),
        (
            ServiceCategory.PROFESSIONAL_SERVICE,
            QuantityUnit.YUAN,
            window(timedelta(1), timedelta(hours=3)),
            [
                FieldProblem(
                    "unit",
                    "a professional_service request is counted in hours, people, sessions",
                    "unit_not_allowed",
                )
            ],
        ),
        (
            ServiceCategory.VOLUNTEER_SERVICE,
            QuantityUnit.PEOPLE,
            window(timedelta(1), timedelta(0)),
            [
                FieldProblem(
                    "window.ends_at", "the window ends before it starts", "window_ends_before_start"
                )
            ],
        ),
        (
            ServiceCategory.VOLUNTEER_SERVICE,
            QuantityUnit.PEOPLE,
            window(timedelta(1), timedelta(days=366, seconds=1)),
            [FieldProblem("window.ends_at", "a window spans at most 366 days", "window_too_long")],
        ),
        (
            ServiceCategory.FUNDS,
            QuantityUnit.PEOPLE,
            window(-timedelta(hours=3), timedelta(hours=3)),
            [
                FieldProblem("unit", "a funds request is counted in yuan", "unit_not_allowed"),
                FieldProblem("window.ends_at", "the window has passed already", "window_in_past"),
            ],
        ),
    ],
)
def test_what_a_new_request_is_told(category, unit, when, problems):
    assert request_problems(category=category, unit=unit, window=when, now=NOW) == problems


@pytest.mark.parametrize(
    ("current", "detail"),
    [
        (RequestStatus.COMMITTED, "a committed request cannot be changed any more"),
        (RequestStatus.EXPIRED, "an expired request cannot be changed any more"),
    ],
)
def test_a_request_past_answering_cannot_change(current, detail):
    assert conflict_of(check_editable, current) == (
        "request_not_editable",
        detail,
        {"current_status": current.value},
    )


def test_the_quantity_never_falls_below_the_commitment():
    check_quantity(3, committed=3)
    assert conflict_of(check_quantity, 2, committed=3) == (
        "quantity_below_commitment",
        "3 is committed already: the quantity cannot fall below it",
        {"committed_quantity": 3},
    )


@pytest.mark.parametrize(
    ("committed", "live_offers", "reason"),
    [
        (1, 0, "1 is committed already"),
        (2, 3, "2 is committed already"),
        (0, 1, "1 offer(s) hold providers for it; withdraw them first"),
    ],
)
def test_a_window_with_commitments_or_offers_is_locked(committed, live_offers, reason):
    assert conflict_of(check_window_change, committed=committed, live_offers=live_offers) == (
        "window_locked",
        f"the window cannot move: {reason}",
        {"committed_quantity": committed, "live_offers": live_offers},
    )
    check_window_change(committed=0, live_offers=0)


def test_an_illegal_move_names_both_statuses():
    assert conflict_of(move_request, RequestStatus.OPEN, RequestStatus.FULFILLED) == (
        "illegal_transition",
        "an open request cannot become fulfilled",
        {"current_status": "open"},
    )
    assert conflict_of(move_offer, OfferStatus.EXPIRED, OfferStatus.ACCEPTED) == (
        "illegal_transition",
        "an expired offer cannot become accepted",
        {"current_status": "expired"},
    )


BEISHAN = Division("330106002", "北山街道", DivisionLevel.TOWNSHIP, "330106")
QINGBO = Division("330102001", "清波街道", DivisionLevel.TOWNSHIP, "330102")


def test_a_request_happens_in_its_stations_township():
    assert place_problems("330106002", BEISHAN, township_code="330106002") == []
    assert place_problems("330199001", None, township_code="330106002") == [
        FieldProblem(
            "division_code", "330199001 is not a Hangzhou division code", "unknown_division"
        )
    ]
    assert place_problems("330102001", QINGBO, township_code="330106002") == [
        FieldProblem(
            "division_code",
            "330102001 (清波街道) is neither the station's township 330106002"
            " nor a community in it",
            "division_outside_station",
        )
    ]


def test_a_request_and_a_home_lie_inside_hangzhou():
    inside, beijing = Point(30.27, 120.13), Point(39.9, 116.4)
    assert location_problems(inside) == location_problems(None) == []
    assert location_problems(beijing) == [
        FieldProblem("location", "(39.9, 116.4) lies outside Hangzhou", "location_outside_hangzhou")
    ]
    assert home_problems(inside) == home_problems(None) == []
    assert home_problems(beijing, field="home") == [
        FieldProblem("home", "(39.9, 116.4) lies outside Hangzhou", "location_outside_hangzhou")
    ]


def test_a_request_through_an_office_is_through_one_of_its_stations():
    assert office_problems(None, None, station_id=STATION) == []
    assert office_problems(OFFICE, STATION, station_id=STATION) == []
    assert office_problems(OFFICE, None, station_id=STATION) == [
        FieldProblem("office_id", f"no office with id {OFFICE}", "unknown_office")
    ]
    assert office_problems(OFFICE, OTHER_STATION, station_id=STATION) == [
        FieldProblem(
            "office_id",
            f"office {OFFICE} belongs to station {OTHER_STATION}, not to {STATION}",
            "office_of_another_station",
        )
    ]


# --- people, resources, stations ----------------------------------------------------------------


def test_what_a_certificate_number_is_told():
    assert certificate_problems(CertificateLevel.SENIOR, "ZJ-1") == []
    assert certificate_problems(CertificateLevel.NONE, None) == []
    assert certificate_problems(CertificateLevel.ASSISTANT, "") == [
        FieldProblem(
            "certificate_number",
            "a worker certified at level 'assistant' needs a certificate number",
            "certificate_number_required",
        )
    ]
    assert certificate_problems(CertificateLevel.NONE, "ZJ-1") == [
        FieldProblem(
            "certificate_number",
            "a worker without a certificate (level 'none') has no certificate number",
            "certificate_number_not_allowed",
        )
    ]


@pytest.mark.parametrize(
    ("station_id", "named"), [(None, "no station"), (STATION, f"station {STATION}")]
)
def test_an_office_of_another_station_is_refused_and_the_place_kept(station_id, named):
    place, problems = place_of_service(
        station_id=station_id, office_id=OFFICE, station_of_office=OTHER_STATION, station_named=True
    )
    assert place == PlaceOfService(station_id=station_id, office_id=OFFICE)
    assert problems == [
        FieldProblem(
            "station_id",
            f"office {OFFICE} belongs to station {OTHER_STATION}, not to {named}",
            "office_of_another_station",
        )
    ]


def test_an_office_implies_its_station():
    assert place_of_service(
        station_id=None, office_id=OFFICE, station_of_office=STATION, station_named=False
    ) == (PlaceOfService(STATION, OFFICE), [])
    assert place_of_service(
        station_id=STATION, office_id=None, station_of_office=None, station_named=True
    ) == (PlaceOfService(STATION, None), [])


def test_what_a_charity_resource_is_told():
    assert unit_problems(CharityResourceKind.VENUE, QuantityUnit.HOURS) == []
    assert unit_problems(CharityResourceKind.VENUE, QuantityUnit.YUAN) == [
        FieldProblem(
            "unit",
            "venue is counted in square_metres, sessions, hours, not yuan",
            "unit_not_for_kind",
        )
    ]
    assert quantity_problems(5, 5) == []
    assert quantity_problems(5, 6) == [
        FieldProblem(
            "remaining_quantity", "6 remaining exceeds the total of 5", "remaining_exceeds_total"
        )
    ]


def test_what_a_station_is_told():
    assert name_problems("x", "杭州市西湖区北山街道社会工作站") == [
        FieldProblem(
            "name",
            "a station's name is its official name '杭州市西湖区北山街道社会工作站', not 'x'",
            "station_name_not_official",
            "R1",
        )
    ]
    assert township_problems("330199001", None) == [
        FieldProblem(
            "township_code",
            "330199001 is not a Hangzhou township-level division code",
            "unknown_division",
        )
    ]
    farm = Division("330106400", "某农场", DivisionLevel.TOWNSHIP, "330106")
    assert township_problems("330106400", farm) == [
        FieldProblem(
            "township_code",
            "330106400 (某农场) is a non-township unit (codes 400–599): no station",
            "township_not_eligible",
            "R2",
        )
    ]


# --- the wording itself ---------------------------------------------------------------------------


def test_a_rule_violation_lists_its_problems_in_order():
    error = rule_violation(
        [FieldProblem("name", "too long", "x"), FieldProblem("unit", "not yuan", "y")]
    )
    assert error.detail == "name: too long; unit: not yuan"


@pytest.mark.parametrize(
    ("word", "expected"),
    [("user", "a user"), ("usual", "a usual"), ("umbrella", "an umbrella"), ("Unit", "a Unit")],
)
def test_u_takes_the_article_it_sounds_like(word, expected):
    assert a(word) == expected
