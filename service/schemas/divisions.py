"""Bodies of /v1/divisions, /v1/vocabularies and /v1/reports."""

from __future__ import annotations

from pydantic import Field

from service.domain.coverage import Metric, TargetYear
from service.domain.divisions import DivisionKind, DivisionLevel
from service.schemas.common import Output, Page


class DivisionSummary(Output):
    """A division of Hangzhou (NBS 2023 statistical division code)."""

    code: str
    name: str
    level: DivisionLevel
    kind: DivisionKind
    parent_code: str | None
    needs_station: bool = Field(description="A street, town or township (codes 001–399), R2.")


class DivisionPage(Page[DivisionSummary]):
    """A page of divisions."""


class DivisionRead(DivisionSummary):
    """A division with its chain of parents, city first."""

    parents: list[DivisionSummary]


class Term(Output):
    """A term of a controlled vocabulary."""

    code: str
    label_zh: str


class Vocabularies(Output):
    """Every controlled vocabulary of the policy, by name."""

    vocabularies: dict[str, list[Term]]


class CoverageFigures(Output):
    """Station and office counts for one district or the whole city."""

    townships_needing_station: int = Field(description="Township-level units coded 001–399.")
    stations: int
    operating_stations: int
    demonstration_stations: int
    offices: int
    demonstration_offices: int
    coverage_ratio: float = Field(description="Operating stations ÷ townships needing one.")


class DistrictCoverage(CoverageFigures):
    """Coverage in one county-level unit."""

    district_code: str
    district_name: str


class TargetProgressRead(Output):
    """One R14 target of the year against the city's figure."""

    metric: Metric
    label_zh: str
    target: int
    actual: int
    ratio: float
    met: bool


class CoverageReport(Output):
    """R14: coverage per district and for the city, and progress against the year's targets."""

    year: TargetYear
    city: CoverageFigures
    districts: list[DistrictCoverage]
    targets: list[TargetProgressRead]
