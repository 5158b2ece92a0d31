"""R14: the city's station-building targets and its progress against them.

2021: 60 stations, 10 demonstration stations, 100 demonstration community offices.
2023: every township/street covered, 30 demonstration stations, 300 community offices.
2025: the network deepens; the policy sets no new figures, so the 2023 targets stay the floor.
A station counts towards a target once it is operating.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Metric(StrEnum):
    """What a target counts."""

    OPERATING_STATIONS = "operating_stations"
    TOWNSHIP_COVERAGE = "township_coverage"
    DEMONSTRATION_STATIONS = "demonstration_stations"
    OFFICES = "offices"
    DEMONSTRATION_OFFICES = "demonstration_offices"


METRIC_LABELS_ZH: dict[Metric, str] = {
    Metric.OPERATING_STATIONS: "建成运营的社会工作站",
    Metric.TOWNSHIP_COVERAGE: "乡镇(街道)社会工作站覆盖",
    Metric.DEMONSTRATION_STATIONS: "示范型社会工作站",
    Metric.OFFICES: "社区特色社会工作室",
    Metric.DEMONSTRATION_OFFICES: "示范型社区特色社会工作室",
}


class TargetYear(IntEnum):
    """The years R14 sets targets for."""

    Y2021 = 2021
    Y2023 = 2023
    Y2025 = 2025


@dataclass(frozen=True, slots=True)
class CoverageCounts:
    """Aggregates for one district or the whole city."""

    townships_needing_station: int
    stations: int
    operating_stations: int
    demonstration_stations: int
    offices: int
    demonstration_offices: int

    def __add__(self, other: CoverageCounts) -> CoverageCounts:
        return CoverageCounts(
            *(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__)
        )

    @property
    def coverage_ratio(self) -> float:
        """Share of the townships that need a station which have an operating one."""
        if self.townships_needing_station == 0:
            return 1.0
        return round(self.operating_stations / self.townships_needing_station, 4)


ZERO = CoverageCounts(0, 0, 0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class TargetProgress:
    """One target of the year and how far the city is."""

    metric: Metric
    target: int
    actual: int

    @property
    def ratio(self) -> float:
        """actual / target, capped at nothing: 1.2 means 20% beyond the target."""
        return round(self.actual / self.target, 4) if self.target else 1.0

    @property
    def met(self) -> bool:
        """Whether the target is reached."""
        return self.actual >= self.target


def targets_for(year: TargetYear, city: CoverageCounts) -> list[TargetProgress]:
    """The R14 targets of `year` with the city's actual figures."""
    if year is TargetYear.Y2021:
        return [
            TargetProgress(Metric.OPERATING_STATIONS, 60, city.operating_stations),
            TargetProgress(Metric.DEMONSTRATION_STATIONS, 10, city.demonstration_stations),
            TargetProgress(Metric.DEMONSTRATION_OFFICES, 100, city.demonstration_offices),
        ]
    return [
        TargetProgress(
            Metric.TOWNSHIP_COVERAGE, city.townships_needing_station, city.operating_stations
        ),
        TargetProgress(Metric.DEMONSTRATION_STATIONS, 30, city.demonstration_stations),
        TargetProgress(Metric.OFFICES, 300, city.offices),
    ]
