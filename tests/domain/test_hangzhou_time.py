"""Hangzhou's calendar: every date derived from an instant is the Hangzhou (UTC+8) date.

Table tests at 00:30 and 23:30 Hangzhou time, the two ends of the day where the UTC date and
the Hangzhou date differ or nearly do; expected dates written out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from service.domain.fulfilment import default_service_date, service_days
from service.domain.hangzhou_time import (
    day_portions,
    local_date,
    local_time,
    touched_weekdays,
    window_days,
)
from service.domain.requests import Window

PLUS_8 = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # 00:30 on 7 December in Hangzhou is 16:30 on the 6th in UTC
        (datetime(2026, 12, 6, 16, 30, tzinfo=UTC), date(2026, 12, 7)),
        (datetime(2026, 12, 7, 0, 30, tzinfo=PLUS_8), date(2026, 12, 7)),
        # 23:30 on 7 December in Hangzhou is 15:30 on the 7th in UTC
        (datetime(2026, 12, 7, 15, 30, tzinfo=UTC), date(2026, 12, 7)),
        (datetime(2026, 12, 7, 23, 30, tzinfo=PLUS_8), date(2026, 12, 7)),
        # the last minute before Hangzhou's midnight, and the first after it
        (datetime(2026, 12, 7, 15, 59, tzinfo=UTC), date(2026, 12, 7)),
        (datetime(2026, 12, 7, 16, 0, tzinfo=UTC), date(2026, 12, 8)),
        # a month's and a year's end: the ledger's buckets
        (datetime(2026, 11, 30, 16, 30, tzinfo=UTC), date(2026, 12, 1)),
        (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), date(2027, 1, 1)),
    ],
)
def test_an_instant_is_dated_on_hangzhous_calendar(instant, expected):
    assert local_date(instant) == expected


@pytest.mark.parametrize("convert", [local_date, local_time])
def test_a_naive_datetime_has_no_place_on_the_calendar(convert):
    with pytest.raises(ValueError, match="^a naive datetime has no place on Hangzhou's calendar$"):
        convert(datetime(2026, 12, 7, 0, 30))


def test_an_instant_on_hangzhous_wall_clock():
    assert local_time(datetime(2026, 12, 6, 16, 30, tzinfo=UTC)).strftime("%d %H:%M") == "07 00:30"


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "days", "weekdays"),
    [
        # 07:00–07:45 on Monday 7 December in Hangzhou (Sunday evening in UTC)
        (
            datetime(2026, 12, 6, 23, 0, tzinfo=UTC),
            datetime(2026, 12, 6, 23, 45, tzinfo=UTC),
            [date(2026, 12, 7)],
            [1],
        ),
        # 23:30 to 00:30: two days
        (
            datetime(2026, 12, 7, 23, 30, tzinfo=PLUS_8),
            datetime(2026, 12, 8, 0, 30, tzinfo=PLUS_8),
            [date(2026, 12, 7), date(2026, 12, 8)],
            [1, 2],
        ),
        # ending at midnight: one day (the end is exclusive)
        (
            datetime(2026, 12, 7, 22, 0, tzinfo=PLUS_8),
            datetime(2026, 12, 8, 0, 0, tzinfo=PLUS_8),
            [date(2026, 12, 7)],
            [1],
        ),
    ],
)
def test_a_window_touches_hangzhou_days(starts_at, ends_at, days, weekdays):
    assert window_days(starts_at, ends_at) == days
    assert touched_weekdays(starts_at, ends_at) == weekdays
    assert service_days(Window(starts_at, ends_at)) == (days[0], days[-1])


def test_a_window_is_cut_at_hangzhou_midnights():
    portions = day_portions(
        datetime(2026, 12, 7, 22, 0, tzinfo=PLUS_8), datetime(2026, 12, 9, 2, 0, tzinfo=PLUS_8)
    )
    assert portions == [
        (date(2026, 12, 7), "22:00", "24:00"),
        (date(2026, 12, 8), "00:00", "24:00"),
        (date(2026, 12, 9), "00:00", "02:00"),
    ]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 12, 7, 0, 30, tzinfo=PLUS_8), date(2026, 12, 7)),
        (datetime(2026, 12, 7, 23, 30, tzinfo=PLUS_8), date(2026, 12, 7)),
    ],
)
def test_a_service_record_is_dated_the_hangzhou_day_it_was_served(now, expected):
    window = Window(now - timedelta(minutes=20), now + timedelta(minutes=20))
    assert default_service_date(window, now) == expected
