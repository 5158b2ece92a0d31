"""Hangzhou's calendar: the one place an instant becomes a local date.

Every date the service derives from an instant – the validity of a charity resource, a service
record's date, the month a report buckets it in, the weekday a request falls on – is the date
on a Hangzhou wall calendar (Asia/Shanghai), never the UTC date: a request at 07:00 +08:00 on
7 December is on the 7th although it is still the 6th in UTC. China has kept no daylight saving
since 1991, so a fixed offset of +08:00 is exact for every instant the service stores.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

HANGZHOU = timezone(timedelta(hours=8), "Asia/Shanghai")
MIDNIGHT = time(0, 0)
ONE_TICK = timedelta(microseconds=1)
MAX_DAYS = 7  # a week of days: a longer window touches every weekday anyway


def local_date(instant: datetime) -> date:
    """The Hangzhou date of an aware instant."""
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no place on Hangzhou's calendar")
    return instant.astimezone(HANGZHOU).date()


def local_time(instant: datetime) -> datetime:
    """The instant on Hangzhou's wall clock."""
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no place on Hangzhou's calendar")
    return instant.astimezone(HANGZHOU)


def day_start(day: date) -> datetime:
    """The instant a Hangzhou day begins."""
    return datetime.combine(day, MIDNIGHT, HANGZHOU)


def window_days(starts_at: datetime, ends_at: datetime) -> list[date]:
    """The Hangzhou dates the window [starts_at, ends_at) touches, first to last.

    The end is exclusive: a window ending at midnight does not touch the next day."""
    first = local_date(starts_at)
    last = local_date(max(starts_at, ends_at - ONE_TICK))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def touched_weekdays(starts_at: datetime, ends_at: datetime) -> list[int]:
    """ISO weekdays (1 Monday … 7 Sunday) the window touches on Hangzhou's calendar."""
    return sorted({day.isoweekday() for day in window_days(starts_at, ends_at)[:MAX_DAYS]})


def day_portions(starts_at: datetime, ends_at: datetime) -> list[tuple[date, str, str]]:
    """The window cut at Hangzhou midnights: per day it touches, the local `HH:MM` it starts
    and ends there (`24:00` when it runs past midnight). 22:00 Monday to 02:00 Tuesday is
    Monday 22:00–24:00 and Tuesday 00:00–02:00."""
    portions = []
    for day in window_days(starts_at, ends_at):
        begin = max(starts_at, day_start(day))
        end = min(ends_at, day_start(day + timedelta(days=1)))
        begins = local_time(begin).strftime("%H:%M")
        finishes = "24:00" if local_date(end) > day else local_time(end).strftime("%H:%M")
        portions.append((day, begins, finishes))
    return portions
