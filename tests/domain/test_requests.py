"""Requests and offers: both state machines in full, the status quantities imply, and every rule a
request is held to (unit, window, place, office, location, editing)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.divisions import Division, DivisionLevel
from service.domain.errors import Conflict, FieldProblem
from service.domain.geo import HANGZHOU, Point
from service.domain.offerings import QuantityUnit, ServiceCategory
from service.domain.requests import (
    EDITABLE_REQUEST,
    LIVE_OFFER,
    MAX_WINDOW_DAYS,
    OFFER_TRANSITIONS,
    PROVIDERS_FOR,
    REQUEST_TRANSITIONS,
    TERMINAL_REQUEST,
    UNITS_FOR,
    OfferStatus,
    ProviderType,
    RequestStatus,
    Window,
    check_editable,
    check_quantity,
    check_window_change,
    commitment_status,
    illegal,
    location_problems,
    move_offer,
    move_request,
    office_problems,
    place_problems,
    quantity_left,
    request_problems,
)

R, OS, C, U, P = RequestStatus, OfferStatus, ServiceCategory, QuantityUnit, ProviderType
NOW = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def codes(problems: list[FieldProblem]) -> list[str]:
    return [p.code for p in problems]


# --- the state machines, every pair ----------------------------------------------------------

EXPECTED_REQUEST_MOVES = {
    R.OPEN: {R.PARTIALLY_COMMITTED, R.COMMITTED, R.CANCELLED, R.EXPIRED},
    R.PARTIALLY_COMMITTED: {R.OPEN, R.COMMITTED, R.FULFILLED, R.CANCELLED},
    R.COMMITTED: {R.OPEN, R.PARTIALLY_COMMITTED, R.FULFILLED, R.CANCELLED},
    R.FULFILLED: {R.CLOSED},  # never cancelled once fulfilled
    R.CLOSED: set(),
    R.CANCELLED: set(),
    R.EXPIRED: set(),
}
EXPECTED_OFFER_MOVES = {
    OS.PROPOSED: {OS.ACCEPTED, OS.DECLINED, OS.WITHDRAWN, OS.EXPIRED},
    OS.ACCEPTED: {OS.COMPLETED, OS.WITHDRAWN},
    OS.DECLINED: set(),
    OS.WITHDRAWN: set(),
    OS.EXPIRED: set(),
    OS.COMPLETED: set(),
}


def test_the_tables_cover_every_status_and_are_the_policy():
    assert {s: set(t) for s, t in REQUEST_TRANSITIONS.items()} == EXPECTED_REQUEST_MOVES
    assert {s: set(t) for s, t in OFFER_TRANSITIONS.items()} == EXPECTED_OFFER_MOVES
    assert {s for s, targets in EXPECTED_REQUEST_MOVES.items() if not targets} == TERMINAL_REQUEST
    assert {OS.PROPOSED, OS.ACCEPTED} == LIVE_OFFER
    assert {R.OPEN, R.PARTIALLY_COMMITTED} == EDITABLE_REQUEST


@pytest.mark.parametrize(("current", "wanted"), list(itertools.product(R, R)))
def test_every_request_move(current, wanted):
    if wanted is current or wanted in EXPECTED_REQUEST_MOVES[current]:
        assert move_request(current, wanted) is wanted
    else:
        with pytest.raises(Conflict) as raised:
            move_request(current, wanted)
        assert raised.value.code == "illegal_transition"
        assert raised.value.extra == {"current_status": current.value}
        assert current.value in raised.value.detail and wanted.value in raised.value.detail


@pytest.mark.parametrize(("current", "wanted"), list(itertools.product(OS, OS)))
def test_every_offer_move(current, wanted):
    if wanted in EXPECTED_OFFER_MOVES[current]:
        assert move_offer(current, wanted) is wanted
    else:  # staying put is not a move for an offer: accepting twice is refused
        with pytest.raises(Conflict) as raised:
            move_offer(current, wanted)
        assert raised.value.code == "illegal_transition"
        assert raised.value.extra == {"current_status": current.value}


def test_illegal_names_the_kind_and_both_statuses():
    error = illegal("offer", OS.DECLINED, OS.ACCEPTED)
    assert error.detail == "a declined offer cannot become accepted"
    assert (error.code, error.extra) == ("illegal_transition", {"current_status": "declined"})


# --- the category tables -------------------------------------------------------------------

EXPECTED_UNITS = {
    C.VOLUNTEER_SERVICE: {U.PEOPLE, U.HOURS},
    C.PROFESSIONAL_SERVICE: {U.PEOPLE, U.HOURS, U.SESSIONS},
    C.FUNDS: {U.YUAN},
    C.GOODS: {U.ITEMS},
    C.VENUE: {U.SQUARE_METRES, U.SESSIONS, U.HOURS},
    C.SUPERVISION: {U.SESSIONS, U.HOURS},
    C.TRAINING: {U.SESSIONS, U.HOURS, U.PEOPLE},
    C.UNIVERSITY_SUPPORT: {U.PEOPLE, U.SESSIONS, U.HOURS},
}
EXPECTED_PROVIDERS = {
    C.VOLUNTEER_SERVICE: {P.VOLUNTEER, P.VOLUNTEER_TEAM, P.ORGANISATION},
    C.PROFESSIONAL_SERVICE: {P.SOCIAL_WORKER, P.ORGANISATION},
    C.FUNDS: {P.CHARITY_RESOURCE, P.ORGANISATION},
    C.GOODS: {P.CHARITY_RESOURCE, P.ORGANISATION},
    C.VENUE: {P.CHARITY_RESOURCE, P.ORGANISATION},
    C.SUPERVISION: {P.SOCIAL_WORKER, P.ORGANISATION, P.UNIVERSITY},
    C.TRAINING: {P.ORGANISATION, P.UNIVERSITY},
    C.UNIVERSITY_SUPPORT: {P.UNIVERSITY},
}


def test_the_category_tables_are_complete():
    assert {c: set(u) for c, u in UNITS_FOR.items()} == EXPECTED_UNITS
    assert {c: set(p) for c, p in PROVIDERS_FOR.items()} == EXPECTED_PROVIDERS


def window(starts_in: timedelta = DAY, lasts: timedelta = 7 * DAY) -> Window:
    return Window(NOW + starts_in, NOW + starts_in + lasts)


@pytest.mark.parametrize(("category", "unit"), list(itertools.product(C, U)))
def test_a_request_counts_in_a_unit_of_its_category(category, unit):
    problems = request_problems(category=category, unit=unit, window=window(), now=NOW)

    if unit in EXPECTED_UNITS[category]:
        assert problems == []
    else:
        assert codes(problems) == ["unit_not_allowed"]
        assert problems[0].field == "unit"


# --- the window --------------------------------------------------------------------------------

SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("starts_in", "lasts", "expected"),
    [
        (DAY, 7 * DAY, []),
        (-DAY, 2 * DAY, []),  # under way: it has started but not passed
        (DAY, SECOND, []),
        (DAY, MAX_WINDOW_DAYS * DAY, []),  # 366 days exactly
        (DAY, MAX_WINDOW_DAYS * DAY + SECOND, ["window_too_long"]),
        (DAY, (MAX_WINDOW_DAYS + 1) * DAY, ["window_too_long"]),
        (DAY, timedelta(0), ["window_ends_before_start"]),  # an empty window
        (DAY, -SECOND, ["window_ends_before_start"]),
        (-2 * DAY, DAY, ["window_in_past"]),
        (-DAY, DAY, ["window_in_past"]),  # ends right now: passed
        (-DAY, DAY + SECOND, []),
        (-3 * DAY, -DAY, ["window_ends_before_start", "window_in_past"]),
    ],
)
def test_window_rules(starts_in, lasts, expected):
    problems = request_problems(
        category=C.GOODS, unit=U.ITEMS, window=window(starts_in, lasts), now=NOW
    )
    assert codes(problems) == expected
    assert all(p.field == "window.ends_at" for p in problems)


def test_every_rule_a_request_breaks_is_reported_at_once():
    problems = request_problems(category=C.FUNDS, unit=U.PEOPLE, window=window(-9 * DAY), now=NOW)
    assert codes(problems) == ["unit_not_allowed", "window_in_past"]


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        ((0, 2), (1, 3), True),
        ((0, 4), (1, 2), True),  # one inside the other
        ((0, 2), (0, 2), True),
        ((0, 1), (1, 2), False),  # touching ends
        ((0, 1), (2, 3), False),
    ],
)
def test_windows_overlap_when_they_share_a_moment(first, second, overlap):
    a = Window(NOW + first[0] * DAY, NOW + first[1] * DAY)
    b = Window(NOW + second[0] * DAY, NOW + second[1] * DAY)
    assert a.overlaps(b) is overlap
    assert b.overlaps(a) is overlap


# --- the status the quantities imply -------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "accepted", "completed", "live_accepted", "expected"),
    [
        (R.OPEN, 0, 0, 0, R.OPEN),
        (R.OPEN, 2, 0, 1, R.PARTIALLY_COMMITTED),
        (R.OPEN, 5, 0, 1, R.COMMITTED),
        (R.OPEN, 6, 0, 2, R.COMMITTED),
        (R.PARTIALLY_COMMITTED, 0, 0, 0, R.OPEN),  # its offer withdrawn
        (R.PARTIALLY_COMMITTED, 3, 3, 0, R.PARTIALLY_COMMITTED),  # part delivered, rest open
        (R.PARTIALLY_COMMITTED, 5, 0, 2, R.COMMITTED),
        (R.COMMITTED, 3, 0, 1, R.PARTIALLY_COMMITTED),
        (R.COMMITTED, 0, 0, 0, R.OPEN),
        (R.COMMITTED, 5, 2, 1, R.COMMITTED),  # one delivered, one still to come
        (R.COMMITTED, 5, 5, 0, R.FULFILLED),
        (R.COMMITTED, 5, 3, 0, R.FULFILLED),  # every offer done, less delivered than planned
        (R.COMMITTED, 5, 0, 0, R.COMMITTED),  # completions that delivered nothing fulfil nothing
        (R.COMMITTED, 5, 7, 1, R.FULFILLED),  # delivered more than asked
        (R.PARTIALLY_COMMITTED, 6, 5, 1, R.FULFILLED),  # all delivered, an offer still open
        (R.COMMITTED, 5, 1, 0, R.FULFILLED),  # every offer done, one delivered
        *[(status, 5, 5, 0, status) for status in (*TERMINAL_REQUEST, R.FULFILLED)],
        *[(status, 0, 0, 0, status) for status in (*TERMINAL_REQUEST, R.FULFILLED)],
    ],
)
def test_commitment_status(current, accepted, completed, live_accepted, expected):
    implied = commitment_status(
        current, requested=5, accepted=accepted, completed=completed, live_accepted=live_accepted
    )
    assert implied is expected


@dataclass
class Offer:
    quantity: int
    state: str = "accepted"  # then "withdrawn" or "completed"
    delivered: int = 0


# Offer events on one request: (kind, a quantity or which accepted offer, what was delivered).
events = st.lists(
    st.tuples(
        st.sampled_from(["accept", "withdraw", "complete"]),
        st.integers(0, 6),
        st.integers(0, 6),
    ),
    max_size=30,
)


def status_in_words(requested: int, offers: list[Offer]) -> RequestStatus:
    """The status as the policy says it: fulfilled once all is delivered, or once the offers
    covering everything are all done and delivered something; committed while offers cover it
    all; partially committed while they cover some; open while nothing is covered."""
    counted = [o for o in offers if o.state != "withdrawn"]
    delivered = sum(o.delivered for o in counted if o.state == "completed")
    covered = sum(o.quantity for o in counted) >= requested
    all_done = all(o.state == "completed" for o in counted)
    if delivered >= requested or (covered and all_done and delivered > 0):
        return R.FULFILLED
    if covered:
        return R.COMMITTED
    return R.PARTIALLY_COMMITTED if counted else R.OPEN


@given(requested=st.integers(1, 6), steps=events)
def test_the_implied_status_is_the_right_one_and_a_legal_move(requested, steps):
    """Whatever happens to the offers, the status they imply is the policy's, and the machine
    allows moving to it."""
    offers: list[Offer] = []
    status = R.OPEN
    for kind, number, delivered in steps:
        counted = [o for o in offers if o.state != "withdrawn"]
        live = [o for o in offers if o.state == "accepted"]
        if kind == "accept":
            if number == 0 or sum(o.quantity for o in counted) + number > requested:
                continue  # never more accepted than requested
            offers.append(Offer(number))
        elif not live:
            continue
        elif kind == "withdraw":
            live[number % len(live)].state = "withdrawn"
        else:
            offer = live[number % len(live)]
            offer.state, offer.delivered = "completed", min(delivered, offer.quantity)
        implied = commitment_status(
            status,
            requested=requested,
            accepted=sum(o.quantity for o in offers if o.state != "withdrawn"),
            completed=sum(o.delivered for o in offers if o.state == "completed"),
            live_accepted=sum(1 for o in offers if o.state == "accepted"),
        )
        assert implied is status_in_words(requested, offers)
        status = move_request(status, implied)  # raises on an illegal move
        if status is R.FULFILLED:
            break


@pytest.mark.parametrize(
    ("requested", "committed", "left"), [(5, [], 5), (5, [2, 1], 2), (5, [5], 0), (5, [4, 3], 0)]
)
def test_quantity_left_never_negative(requested, committed, left):
    assert quantity_left(requested, committed) == left


# --- editing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(R))
def test_only_open_and_partially_committed_requests_change(status):
    if status in (R.OPEN, R.PARTIALLY_COMMITTED):
        check_editable(status)
        return
    with pytest.raises(Conflict) as raised:
        check_editable(status)
    assert raised.value.code == "request_not_editable"
    assert raised.value.extra == {"current_status": status.value}


@pytest.mark.parametrize(("quantity", "allowed"), [(2, False), (3, True), (4, True)])
def test_the_quantity_never_falls_below_the_commitment(quantity, allowed):
    if allowed:
        check_quantity(quantity, committed=3)
        return
    with pytest.raises(Conflict) as raised:
        check_quantity(quantity, committed=3)
    assert raised.value.code == "quantity_below_commitment"
    assert raised.value.extra == {"committed_quantity": 3}


@pytest.mark.parametrize(
    ("committed", "live", "allowed"), [(0, 0, True), (1, 0, False), (0, 1, False), (2, 3, False)]
)
def test_the_window_moves_only_while_nothing_holds_a_provider(committed, live, allowed):
    if allowed:
        check_window_change(committed=committed, live_offers=live)
        return
    with pytest.raises(Conflict) as raised:
        check_window_change(committed=committed, live_offers=live)
    assert raised.value.code == "window_locked"
    assert raised.value.extra == {"committed_quantity": committed, "live_offers": live}


# --- place, office, location -----------------------------------------------------------------

TOWNSHIP = "330106002"


def division(code: str, parent: str | None) -> Division:
    level = {6: DivisionLevel.DISTRICT, 9: DivisionLevel.TOWNSHIP, 12: DivisionLevel.COMMUNITY}
    return Division(code=code, name="某地", level=level[len(code)], parent_code=parent)


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        (division(TOWNSHIP, "330106"), []),
        (division("330106002001", TOWNSHIP), []),  # a community of the township
        (division("330106003001", "330106003"), ["division_outside_station"]),
        (division("330106003", "330106"), ["division_outside_station"]),  # a neighbour
        (division("330106", "3301"), ["division_outside_station"]),  # the whole district
        (None, ["unknown_division"]),
    ],
)
def test_a_request_happens_in_its_stations_township(found, expected):
    code = found.code if found else "330106002999"
    problems = place_problems(code, found, township_code=TOWNSHIP)
    assert codes(problems) == expected
    assert all(p.field == "division_code" for p in problems)


STATION, OTHER, OFFICE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize(
    ("office_id", "station_of_office", "expected"),
    [
        (None, None, []),
        (OFFICE, STATION, []),
        (OFFICE, OTHER, ["office_of_another_station"]),
        (OFFICE, None, ["unknown_office"]),
    ],
)
def test_an_office_belongs_to_the_requesting_station(office_id, station_of_office, expected):
    problems = office_problems(office_id, station_of_office, station_id=STATION)
    assert codes(problems) == expected
    assert all(p.field == "office_id" for p in problems)


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        (None, True),
        (Point(30.2590, 120.1450), True),
        (Point(HANGZHOU.south, HANGZHOU.west), True),  # the edges count
        (Point(HANGZHOU.north, HANGZHOU.east), True),
        (Point(31.2304, 121.4737), False),  # Shanghai
        (Point(HANGZHOU.south - 0.01, 120.0), False),
        (Point(30.0, HANGZHOU.east + 0.01), False),
    ],
)
def test_a_request_happens_inside_hangzhou(point, inside):
    problems = location_problems(point)
    assert codes(problems) == ([] if inside else ["location_outside_hangzhou"])
    assert all(p.field == "location" for p in problems)
