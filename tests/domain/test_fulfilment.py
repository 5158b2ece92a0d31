"""The rules of answering and fulfilling offers, and of the volunteer-hour ledger."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.access import Caller, Scope
from service.domain.errors import Conflict
from service.domain.fulfilment import (
    Completion,
    MemberHours,
    Side,
    acts_for_station,
    check_rateable,
    check_request_accepting,
    check_room,
    check_stock,
    completion_problems,
    default_service_date,
    effective_status,
    hold_until,
    hours_served,
    responder,
    sees_offer,
)
from service.domain.requests import OfferStatus, ProviderType, RequestStatus, Window
from service.domain.service_records import ledger_entries, ledger_hours, ledger_row

STATION = uuid.UUID("00000000-0000-4000-8000-000000000001")
OTHER_STATION = uuid.UUID("00000000-0000-4000-8000-000000000002")
ORGANISATION = uuid.UUID("00000000-0000-4000-8000-000000000003")
OTHER_ORGANISATION = uuid.UUID("00000000-0000-4000-8000-000000000004")
# 2026-03-07 09:00–12:00 in Hangzhou (UTC+8)
WINDOW = Window(datetime(2026, 3, 7, 1, tzinfo=UTC), datetime(2026, 3, 7, 4, tzinfo=UTC))


def caller(
    *scopes: Scope, station_id: uuid.UUID | None = None, organisation_id: uuid.UUID | None = None
) -> Caller:
    return Caller(uuid.uuid4(), "client", frozenset(scopes), station_id, organisation_id)


@pytest.mark.parametrize(
    ("who", "owner", "side"),
    [
        (caller(Scope.REQUESTS_WRITE, station_id=STATION), None, Side.STATION),
        (caller(Scope.REQUESTS_WRITE), ORGANISATION, Side.STATION),
        (caller(Scope.ADMIN), ORGANISATION, Side.STATION),
        (caller(Scope.REQUESTS_WRITE, station_id=OTHER_STATION), ORGANISATION, None),
        (caller(Scope.REQUESTS_READ, station_id=STATION), ORGANISATION, None),
        (caller(Scope.OFFERS_RESPOND, organisation_id=ORGANISATION), ORGANISATION, Side.PROVIDER),
        (caller(Scope.OFFERS_RESPOND, organisation_id=OTHER_ORGANISATION), ORGANISATION, None),
        (caller(Scope.OFFERS_RESPOND, organisation_id=ORGANISATION), None, None),
        (caller(Scope.REQUESTS_WRITE, organisation_id=ORGANISATION), ORGANISATION, None),
        (caller(Scope.REQUESTS_WRITE, organisation_id=OTHER_ORGANISATION), ORGANISATION, None),
        (caller(Scope.OFFERS_RESPOND), ORGANISATION, None),
    ],
)
def test_who_answers_an_offer(who, owner, side):
    assert responder(who, station_id=STATION, provider_organisation_id=owner) is side


@pytest.mark.parametrize(
    ("who", "owner", "sees", "acts"),
    [
        (caller(Scope.REQUESTS_READ), None, True, False),
        (caller(Scope.REQUESTS_WRITE, station_id=STATION), None, True, True),
        (caller(Scope.REQUESTS_WRITE, station_id=OTHER_STATION), None, False, False),
        (caller(Scope.OFFERS_RESPOND, organisation_id=ORGANISATION), ORGANISATION, True, False),
        (caller(Scope.REQUESTS_WRITE, organisation_id=ORGANISATION), None, False, False),
    ],
)
def test_who_sees_an_offer_and_who_acts_for_the_station(who, owner, sees, acts):
    assert sees_offer(who, station_id=STATION, provider_organisation_id=owner) is sees
    assert acts_for_station(who, STATION) is acts


@given(
    requested=st.integers(1, 1000),
    committed=st.integers(0, 1000),
    offered=st.integers(1, 1000),
)
def test_never_more_committed_than_requested(requested, committed, offered):
    try:
        check_room(requested=requested, committed=committed, offered=offered)
    except Conflict as error:
        assert error.code == "request_fully_committed"
        assert committed + offered > requested
        assert error.extra["quantity_left"] == max(0, requested - committed)
    else:
        assert committed + offered <= requested


@pytest.mark.parametrize(
    ("remaining", "held", "wanted", "refused"),
    [(100, 0, 100, False), (100, 80, 20, False), (100, 80, 21, True), (0, 0, 1, True)],
)
def test_stock_is_never_overpromised(remaining, held, wanted, refused):
    if refused:
        with pytest.raises(Conflict):
            check_stock(remaining=remaining, held=held, wanted=wanted, code="x")
    else:
        check_stock(remaining=remaining, held=held, wanted=wanted, code="x")


@pytest.mark.parametrize("status", list(RequestStatus))
def test_which_requests_accept(status):
    open_ = {RequestStatus.OPEN, RequestStatus.PARTIALLY_COMMITTED, RequestStatus.COMMITTED}
    if status in open_:
        check_request_accepting(status)
    else:
        with pytest.raises(Conflict) as raised:
            check_request_accepting(status)
        assert raised.value.extra == {"current_status": status.value}


def test_a_lapsed_proposal_is_expired_and_only_a_proposal_lapses():
    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert effective_status(OfferStatus.PROPOSED, now, now) is OfferStatus.EXPIRED
    assert effective_status(OfferStatus.PROPOSED, now + timedelta(1), now) is OfferStatus.PROPOSED
    assert effective_status(OfferStatus.ACCEPTED, now - timedelta(1), now) is OfferStatus.ACCEPTED


def test_a_hold_never_outlasts_the_window():
    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert hold_until(now, hours=48, request_ends_at=now + timedelta(days=7)) == now + timedelta(2)
    assert hold_until(now, hours=48, request_ends_at=now + timedelta(hours=5)) == now + timedelta(
        hours=5
    )


def problems_of(kind: ProviderType, completion: Completion, *, offered: int = 2) -> set[tuple]:
    now = WINDOW.ends_at + timedelta(hours=1)
    found = completion_problems(kind, completion, offered=offered, window=WINDOW, now=now)
    return {(problem.field, problem.code) for problem in found}


A, B = uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize(
    ("kind", "completion", "expected"),
    [
        (ProviderType.VOLUNTEER, Completion(1, volunteer_hours=3), set()),
        (ProviderType.VOLUNTEER, Completion(1), {("volunteer_hours", "hours_required")}),
        (
            ProviderType.VOLUNTEER,
            Completion(1, volunteer_hours=3.5),
            {("volunteer_hours", "hours_exceed_window")},
        ),
        (
            ProviderType.VOLUNTEER,
            Completion(3, volunteer_hours=1),
            {("actual_quantity", "actual_exceeds_offer")},
        ),
        (
            ProviderType.VOLUNTEER,
            Completion(1, volunteer_hours=1, member_hours=()),
            {("member_hours", "not_a_team")},
        ),
        (ProviderType.ORGANISATION, Completion(2, volunteer_hours=30), set()),
        (
            ProviderType.SOCIAL_WORKER,
            Completion(1, volunteer_hours=4),
            {("volunteer_hours", "hours_exceed_window")},
        ),
        (ProviderType.VOLUNTEER_TEAM, Completion(2), {("member_hours", "member_hours_required")}),
        (ProviderType.VOLUNTEER_TEAM, Completion(0, member_hours=()), set()),
        (
            ProviderType.VOLUNTEER_TEAM,
            Completion(2, member_hours=()),
            {("member_hours", "member_hours_required")},
        ),
        (
            ProviderType.VOLUNTEER_TEAM,
            Completion(2, member_hours=(MemberHours(A, 1), MemberHours(A, 4))),
            {
                ("member_hours[1].volunteer_id", "duplicate_member"),
                ("member_hours[1].hours", "hours_exceed_window"),
            },
        ),
        (
            ProviderType.VOLUNTEER_TEAM,
            Completion(2, volunteer_hours=3, member_hours=(MemberHours(A, 1), MemberHours(B, 2))),
            set(),
        ),
        (
            ProviderType.VOLUNTEER_TEAM,
            Completion(2, volunteer_hours=4, member_hours=(MemberHours(A, 1), MemberHours(B, 2))),
            {("volunteer_hours", "hours_mismatch")},
        ),
        (
            ProviderType.VOLUNTEER,
            Completion(1, volunteer_hours=1, service_date=date(2026, 3, 6)),
            {("service_date", "service_date_outside_window")},
        ),
        (
            ProviderType.VOLUNTEER,
            Completion(1, volunteer_hours=1, service_date=date(2026, 3, 7)),
            set(),
        ),
    ],
)
def test_what_a_completion_must_say(kind, completion, expected):
    assert problems_of(kind, completion) == expected


def test_a_service_date_is_not_in_the_future():
    long = Window(WINDOW.starts_at, WINDOW.starts_at + timedelta(days=10))
    completion = Completion(1, volunteer_hours=1, service_date=date(2026, 3, 9))
    now = WINDOW.starts_at + timedelta(hours=3)  # 2026-03-07 12:00 in Hangzhou
    found = completion_problems(ProviderType.VOLUNTEER, completion, offered=1, window=long, now=now)
    assert [(p.field, p.code) for p in found] == [("service_date", "service_date_ahead")]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 3, 6, 20, tzinfo=UTC), date(2026, 3, 7)),  # 04:00 local: the window's day
        (datetime(2026, 3, 7, 2, tzinfo=UTC), date(2026, 3, 7)),
        (datetime(2026, 3, 20, tzinfo=UTC), date(2026, 3, 7)),
    ],
)
def test_the_default_service_date_is_in_china_time_within_the_window(now, expected):
    assert default_service_date(WINDOW, now) == expected


def test_a_window_ending_at_local_midnight_serves_on_its_own_day():
    # 2026-03-07 20:00–24:00 in Hangzhou
    evening = Window(datetime(2026, 3, 7, 12, tzinfo=UTC), datetime(2026, 3, 7, 16, tzinfo=UTC))
    assert default_service_date(evening, datetime(2026, 4, 1, tzinfo=UTC)) == date(2026, 3, 7)


def test_a_teams_hours_are_its_members_sum():
    completion = Completion(2, member_hours=(MemberHours(A, 1.25), MemberHours(B, 2)))
    assert hours_served(ProviderType.VOLUNTEER_TEAM, completion) == 3.25
    assert hours_served(ProviderType.ORGANISATION, Completion(1)) is None


def test_ledger_entries_one_per_volunteer_who_served():
    common = {
        "station_name": "杭州市西湖区北山街道社会工作站",
        "request_title": "独居老人探访",
        "service_date": date(2026, 3, 7),
        "recorder": "北山站",
    }
    team = Completion(2, member_hours=(MemberHours(A, 2), MemberHours(B, 1)), outcome_note="好")
    entries = ledger_entries(ProviderType.VOLUNTEER_TEAM, uuid.uuid4(), team, **common)
    assert [(e.volunteer_id, e.hours, e.content) for e in entries] == [(A, 2, "好"), (B, 1, "好")]
    assert entries[0].organisation_name == "杭州市西湖区北山街道社会工作站"
    single = ledger_entries(ProviderType.VOLUNTEER, A, Completion(1, volunteer_hours=3), **common)
    assert [(e.volunteer_id, e.hours, e.content) for e in single] == [(A, 3, "独居老人探访")]
    assert (
        ledger_entries(ProviderType.VOLUNTEER, A, Completion(0, volunteer_hours=0), **common) == []
    )
    assert (
        ledger_entries(ProviderType.ORGANISATION, A, Completion(1, volunteer_hours=9), **common)
        == []
    )


@pytest.mark.parametrize(
    ("hours", "shown"), [(2.0, "2"), (2.5, "2.5"), (1.25, "1.25"), (0.1, "0.1")]
)
def test_ledger_hours(hours, shown):
    assert ledger_hours(hours) == shown


def test_a_ledger_row_defuses_formulas():
    row = ledger_row(
        {
            "volunteer_name": "@x",
            "organisation_name": "+y",
            "project": "-z",
            "service_date": date(2026, 3, 7),
            "hours": 1.5,
            "content": "=SUM(A1)",
            "recorder": "站",
        }
    )
    assert row == ["'@x", "'+y", "'-z", "2026-03-07", "1.5", "'=SUM(A1)", "站"]


def test_a_completed_offer_is_rated_once():
    check_rateable(OfferStatus.COMPLETED, rated=False)
    with pytest.raises(Conflict, match="already"):
        check_rateable(OfferStatus.COMPLETED, rated=True)
    for status in set(OfferStatus) - {OfferStatus.COMPLETED}:
        with pytest.raises(Conflict) as raised:
            check_rateable(status, rated=False)
        assert raised.value.code == "offer_not_completed"
