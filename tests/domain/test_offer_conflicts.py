"""What offering, accepting, completing and rating say when they refuse, word for word: codes,
details, extra members and field messages are the API's contract (a station reads
`quantity_left`, a client shows the detail); and which Hangzhou day a completion falls on."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from service.domain.errors import Conflict, FieldProblem
from service.domain.fulfilment import (
    Completion,
    MemberHours,
    check_provider_active,
    check_rateable,
    check_request_accepting,
    check_request_offerable,
    check_room,
    check_started,
    check_stock,
    completion_problems,
    default_service_date,
    double_booked,
    explanation_rows,
    hours_served,
    lapsed_acceptance,
    offer_expired,
    offer_lapsed,
    service_days,
)
from service.domain.requests import LapseReason, OfferStatus, ProviderType, RequestStatus, Window

R = RequestStatus
WINDOW = Window(datetime(2026, 3, 7, 1, tzinfo=UTC), datetime(2026, 3, 7, 4, tzinfo=UTC))


def conflict_of(check, *args, **kwargs) -> tuple[str, str, dict]:
    with pytest.raises(Conflict) as raised:
        check(*args, **kwargs)
    return raised.value.code, raised.value.detail, raised.value.extra


@pytest.mark.parametrize("status", [R.OPEN, R.PARTIALLY_COMMITTED])
def test_open_requests_take_offers(status):
    check_request_offerable(status)


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (R.COMMITTED, "a committed request takes no new offers"),
        (R.FULFILLED, "a fulfilled request takes no new offers"),
        (R.CANCELLED, "a cancelled request takes no new offers"),
        (R.EXPIRED, "an expired request takes no new offers"),
    ],
)
def test_other_requests_take_no_offers(status, detail):
    assert conflict_of(check_request_offerable, status) == (
        "request_not_open",
        detail,
        {"current_status": status.value},
    )


def test_a_closed_request_accepts_nothing_and_says_so():
    assert conflict_of(check_request_accepting, R.CANCELLED) == (
        "request_not_open",
        "a cancelled request accepts no offers any more",
        {"current_status": "cancelled"},
    )


@pytest.mark.parametrize(
    ("committed", "offered", "left"), [(4, 2, 1), (5, 1, 0), (7, 1, 0), (0, 6, 5)]
)
def test_room_left_is_reported_exactly(committed, offered, left):
    assert conflict_of(check_room, requested=5, committed=committed, offered=offered) == (
        "request_fully_committed",
        f"only {left} of the request's 5 is still to be committed; this offer is for {offered}",
        {"quantity_left": left, "committed_quantity": committed},
    )


def test_stock_promised_already_is_reported_exactly():
    assert conflict_of(check_stock, remaining=10, held=7, wanted=4, code="stock_exhausted") == (
        "stock_exhausted",
        "the resource has 10 left, 7 of it promised already; 4 more is too much",
        {"remaining_quantity": 10, "held_quantity": 7},
    )


@pytest.mark.parametrize(
    ("provider_type", "who"),
    [(ProviderType.VOLUNTEER, "volunteer"), (ProviderType.SOCIAL_WORKER, "social worker")],
)
def test_a_double_booking_names_the_person(provider_type, who):
    error = double_booked(provider_type)
    assert (error.code, error.detail) == (
        "provider_double_booked",
        f"the {who} has accepted another offer whose window overlaps this one",
    )


def test_only_an_active_provider_accepts():
    check_provider_active("active")
    assert conflict_of(check_provider_active, "withdrawn") == (
        "provider_inactive",
        "the provider is withdrawn, not active",
        {},
    )


def test_an_expired_offer_says_what_to_do():
    error = offer_expired()
    assert (error.code, error.detail, error.extra) == (
        "offer_expired",
        "the offer has expired: its hold on the provider ran out; make a new offer",
        {"current_status": "expired"},
    )


@pytest.mark.parametrize(
    ("status", "reason", "when"),
    [
        (OfferStatus.EXPIRED, LapseReason.REQUEST_COMMITTED, "its request was committed in full"),
        (OfferStatus.WITHDRAWN, LapseReason.REQUEST_CANCELLED, "its request was cancelled"),
        (OfferStatus.WITHDRAWN, LapseReason.REQUEST_CLOSED, "its request was closed"),
        (OfferStatus.EXPIRED, LapseReason.REQUEST_EXPIRED, "its request expired unanswered"),
    ],
)
def test_a_lapsed_offer_says_when_it_lapsed_and_not_that_its_hold_ran_out(status, reason, when):
    error = offer_lapsed(status, reason, wanted="declined")
    assert (error.code, error.detail, error.extra) == (
        "offer_lapsed",
        f"the offer lapsed when {when}, before its hold ran out: it is {status.value} and can"
        " no longer be declined",
        {"current_status": status.value, "lapse_reason": reason.value},
    )


def test_a_lapsed_offer_is_refused_acceptance_for_what_stops_its_request_naming_the_lapse():
    lapsed = {"offer_status": OfferStatus.EXPIRED, "reason": LapseReason.REQUEST_COMMITTED}
    full = lapsed_acceptance(R.COMMITTED, requested=2, committed=2, offered=1, **lapsed)
    assert (full.code, full.detail, full.extra) == (
        "request_fully_committed",
        "only 0 of the request's 2 is still to be committed; this offer is for 1",
        {"quantity_left": 0, "committed_quantity": 2, "lapse_reason": "request_committed"},
    )
    done = lapsed_acceptance(R.FULFILLED, requested=2, committed=2, offered=1, **lapsed)
    assert (done.code, done.extra) == (
        "request_not_open",
        {"current_status": "fulfilled", "lapse_reason": "request_committed"},
    )
    reopened = lapsed_acceptance(R.OPEN, requested=2, committed=0, offered=1, **lapsed)
    assert (reopened.code, reopened.detail, reopened.extra) == (
        "offer_lapsed",
        "the offer lapsed when its request was committed in full, before its hold ran out:"
        " it is expired and can no longer be accepted",
        {"current_status": "expired", "lapse_reason": "request_committed"},
    )


def test_work_is_completed_once_it_has_begun():
    check_started(WINDOW, WINDOW.starts_at)
    check_started(WINDOW, WINDOW.ends_at)
    assert conflict_of(check_started, WINDOW, datetime(2026, 3, 7, 0, 59, 59, tzinfo=UTC)) == (
        "service_not_started",
        "the service window has not begun; complete the offer after the work",
        {},
    )


def test_an_explanation_row_carries_each_contribution():
    assert explanation_rows([("skill_coverage", 0.5, 0.3), ("distance", 1 / 3, 0.15)]) == [
        {"component": "skill_coverage", "value": 0.5, "weight": 0.3, "contribution": 0.15},
        {"component": "distance", "value": 1 / 3, "weight": 0.15, "contribution": 0.05},
    ]
    [row] = explanation_rows([("reliability", 0.1234567, 1.0)])
    assert row["contribution"] == 0.123457


def test_a_rating_needs_a_completed_unrated_offer_and_says_so():
    assert conflict_of(check_rateable, OfferStatus.ACCEPTED, rated=False) == (
        "offer_not_completed",
        "an accepted offer cannot be rated; rate it once it is completed",
        {"current_status": "accepted"},
    )
    assert conflict_of(check_rateable, OfferStatus.COMPLETED, rated=True) == (
        "already_rated",
        "the offer has been rated already",
        {},
    )


# --- completing, word for word ---------------------------------------------------------------
# The window: 2026-03-07 21:00 UTC to 03-08 00:00 UTC, that is 05:00–08:00 on 8 March in Hangzhou.
DAWN = Window(datetime(2026, 3, 7, 21, tzinfo=UTC), datetime(2026, 3, 8, 0, tzinfo=UTC))
A, B = uuid.UUID(int=1), uuid.UUID(int=2)


def said(kind: ProviderType, completion: Completion, now: datetime = DAWN.ends_at):
    return completion_problems(kind, completion, offered=2, window=DAWN, now=now)


def test_what_a_volunteers_completion_is_told():
    assert said(ProviderType.VOLUNTEER, Completion(3, member_hours=())) == [
        FieldProblem(
            "actual_quantity",
            "the offer was for 2; record more as a further offer",
            "actual_exceeds_offer",
        ),
        FieldProblem(
            "volunteer_hours",
            "missing: a volunteer's offer is completed with the hours they served",
            "hours_required",
        ),
        FieldProblem("member_hours", "only a volunteer team's offer has members", "not_a_team"),
    ]
    assert said(ProviderType.VOLUNTEER, Completion(1, volunteer_hours=3.01)) == [
        FieldProblem(
            "volunteer_hours",
            "one person serves at most the window's 3 hours",
            "hours_exceed_window",
        )
    ]
    assert said(ProviderType.VOLUNTEER, Completion(1, volunteer_hours=3)) == []


def test_what_a_teams_completion_is_told():
    members = (MemberHours(A, 3), MemberHours(A, 3.5), MemberHours(B, 1))
    assert said(
        ProviderType.VOLUNTEER_TEAM, Completion(2, volunteer_hours=7, member_hours=members)
    ) == [
        FieldProblem(
            "member_hours[1].volunteer_id", "each member is listed once", "duplicate_member"
        ),
        FieldProblem(
            "member_hours[1].hours",
            "one person serves at most the window's 3 hours",
            "hours_exceed_window",
        ),
        FieldProblem(
            "volunteer_hours",
            "the team's hours are the sum of its members' (7.5); send either",
            "hours_mismatch",
        ),
    ]
    assert said(ProviderType.VOLUNTEER_TEAM, Completion(1, member_hours=())) == [
        FieldProblem(
            "member_hours",
            "missing: a team's offer is completed with each member's hours"
            " ([{volunteer_id, hours}, …])",
            "member_hours_required",
        )
    ]
    assert said(ProviderType.VOLUNTEER_TEAM, Completion(2)) == [
        FieldProblem(
            "member_hours",
            "missing: a team's offer is completed with each member's hours"
            " ([{volunteer_id, hours}, …])",
            "member_hours_required",
        )
    ]
    within_a_rounding = Completion(
        2, volunteer_hours=4.004, member_hours=(MemberHours(A, 3), MemberHours(B, 1))
    )
    assert said(ProviderType.VOLUNTEER_TEAM, within_a_rounding) == []


def test_service_dates_are_hangzhou_dates():
    # In UTC the window starts on the 7th; in Hangzhou it is all on the 8th.
    assert service_days(DAWN) == (date(2026, 3, 8), date(2026, 3, 8))
    assert default_service_date(DAWN, datetime(2026, 3, 1, tzinfo=UTC)) == date(2026, 3, 8)
    assert default_service_date(DAWN, datetime(2026, 3, 7, 22, tzinfo=UTC)) == date(2026, 3, 8)
    on_the_7th = Completion(1, volunteer_hours=1, service_date=date(2026, 3, 7))
    assert said(ProviderType.VOLUNTEER, on_the_7th) == [
        FieldProblem(
            "service_date",
            "the window runs from 2026-03-08 to 2026-03-08",
            "service_date_outside_window",
        )
    ]
    on_the_8th = Completion(1, volunteer_hours=1, service_date=date(2026, 3, 8))
    assert said(ProviderType.VOLUNTEER, on_the_8th, now=datetime(2026, 3, 7, 22, tzinfo=UTC)) == []
    assert said(ProviderType.VOLUNTEER, on_the_8th, now=datetime(2026, 3, 7, 15, tzinfo=UTC)) == [
        FieldProblem("service_date", "the service date is in the future", "service_date_ahead")
    ]


def test_a_window_ending_a_microsecond_into_the_day_touches_it():
    window = Window(
        datetime(2026, 3, 7, 15, tzinfo=UTC), datetime(2026, 3, 7, 16, 0, 0, 1, tzinfo=UTC)
    )
    assert service_days(window) == (date(2026, 3, 7), date(2026, 3, 8))
    exactly = Window(datetime(2026, 3, 7, 15, tzinfo=UTC), datetime(2026, 3, 7, 16, tzinfo=UTC))
    assert service_days(exactly) == (date(2026, 3, 7), date(2026, 3, 7))
    assert default_service_date(exactly, datetime(2026, 3, 9, tzinfo=UTC)) == date(2026, 3, 7)


@pytest.mark.parametrize(
    ("provider_type", "completion", "hours"),
    [
        (ProviderType.VOLUNTEER, Completion(1, volunteer_hours=1.006), 1.01),
        (ProviderType.VOLUNTEER, Completion(1), None),
        (
            ProviderType.VOLUNTEER_TEAM,
            Completion(2, member_hours=(MemberHours(A, 1.004), MemberHours(B, 2.003))),
            3.01,
        ),
        (ProviderType.VOLUNTEER_TEAM, Completion(2, volunteer_hours=2.5), 2.5),
        (
            ProviderType.VOLUNTEER,
            Completion(1, volunteer_hours=2, member_hours=(MemberHours(A, 9),)),
            2.0,
        ),
    ],
)
def test_the_hours_stored_on_the_offer(provider_type, completion, hours):
    assert hours_served(provider_type, completion) == hours
