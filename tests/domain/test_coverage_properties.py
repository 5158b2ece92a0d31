"""Availability covers a window whole (issue 8), as a property: the slots of a day, joined where
they meet, must hold every minute of the window's part of that day; an exception for the day
decides it either way. The oracle counts minutes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from service.domain.matching import Availability

PLUS_8 = timezone(timedelta(hours=8))
SATURDAY = datetime(2026, 12, 5, tzinfo=PLUS_8)  # ISO weekday 6


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def slots(draw) -> list[tuple[int, int]]:
    """Non-overlapping slots of one day, in minutes (the registry refuses overlapping ones)."""
    cuts = sorted(draw(st.sets(st.integers(0, 24 * 60 - 1), max_size=8)))
    pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    return [(start, end) for start, end in pairs if end > start]


@st.composite
def windows(draw) -> tuple[int, int]:
    start = draw(st.integers(0, 24 * 60 - 2))
    return start, draw(st.integers(start + 1, 24 * 60 - 1))


@given(slots(), windows(), st.sampled_from([None, True, False]))
def test_a_window_is_available_exactly_when_every_minute_is_covered(day, window, exception):
    weekly = [{"weekday": 6, "start": hhmm(s), "end": hhmm(e)} for s, e in day]
    exceptions = [] if exception is None else [{"date": "2026-12-05", "available": exception}]
    start, end = window
    test = Availability.of(SATURDAY + timedelta(minutes=start), SATURDAY + timedelta(minutes=end))
    covered = set().union(*(range(s, e) for s, e in day)) >= set(range(start, end))
    expected = covered if exception is None else exception
    assert test.admits(weekly, exceptions) is expected


@given(slots(), windows())
def test_slots_of_another_weekday_never_cover_it(day, window):
    weekly = [{"weekday": 2, "start": hhmm(s), "end": hhmm(e)} for s, e in day]
    start, end = window
    test = Availability.of(SATURDAY + timedelta(minutes=start), SATURDAY + timedelta(minutes=end))
    assert test.admits(weekly, []) is False
