"""What the bureau's reports count and how: periods in Hangzhou days, rates, the training-hours
distribution, and which stations a bound client sees named in a report.

Reports give aggregates (counts per district and for the city) to every reader: they name no
one. Rows that name a station – the stations short of a rule, a station's partners or hours –
and the workers short of their training are shown only for stations whose compliance the
caller may read: all for the bureau, its own for a station, those it is linked with for an
organisation.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from service.domain.hangzhou_time import HANGZHOU as CHINA_TIME
from service.domain.supervision import Window, window_before

DEFAULT_PERIOD_MONTHS = 12
# Training hours in the year judged, for the distribution: [low, high) and its label.
TRAINING_BUCKETS: tuple[tuple[float, float | None, str], ...] = (
    (0, 0, "0"),
    (0, 24, "0–24"),
    (24, 48, "24–48"),
    (48, 72, "48–72"),
    (72, 120, "72–120"),
    (120, None, "120+"),
)
UNSPECIFIED = "unspecified"


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Where a report looks: a district, a township within it, or the city (both None)."""

    district_code: str | None = None
    township_code: str | None = None


def report_period(first: date | None, last: date | None, *, today: date) -> Window:
    """The days a report covers: as given, else the twelve months ending on `last` or today."""
    end = last or today
    start = first or window_before(end, DEFAULT_PERIOD_MONTHS).first
    return Window(start, end)


def instants_of(period: Window) -> tuple[datetime, datetime]:
    """The period as UTC instants: from its first midnight in Hangzhou to the one after it."""
    start = datetime.combine(period.first, time(), CHINA_TIME)
    end = datetime.combine(period.last + timedelta(days=1), time(), CHINA_TIME)
    return start, end


def rate(part: int, whole: int) -> float | None:
    """part ÷ whole to four places, None when there is no whole."""
    return round(part / whole, 4) if whole else None


def bucket_of(hours: float) -> str:
    """The distribution bucket a worker's training hours fall in."""
    if hours <= 0:
        return TRAINING_BUCKETS[0][2]
    for low, high, label in TRAINING_BUCKETS[1:]:
        if hours >= low and (high is None or hours < high):
            return label
    raise ValueError(f"no bucket for {hours} hours")


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which stations a reader sees named in a report: every one (`stations` None) or these."""

    stations: frozenset[uuid.UUID] | None = None

    def names(self, station_id: uuid.UUID) -> bool:
        """Whether rows naming this station are shown."""
        return self.stations is None or station_id in self.stations
