"""The 409s of offering and accepting, word for word: their codes, details and extra members are
the API's contract (a station reads `quantity_left`, a client shows the detail)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.domain.errors import Conflict
from service.domain.fulfilment import (
    check_provider_active,
    check_request_accepting,
    check_request_offerable,
    check_room,
    check_started,
    check_stock,
    double_booked,
    explanation_rows,
    offer_expired,
)
from service.domain.requests import ProviderType, RequestStatus, Window

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
