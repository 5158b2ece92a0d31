"""Read-only use cases of the reference data and reports: divisions, vocabularies, coverage."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from service.db.repositories.divisions import DivisionRepository
from service.db.repositories.reports import coverage_by_district
from service.domain.catalogue import VOCABULARIES
from service.domain.coverage import (
    METRIC_LABELS_ZH,
    ZERO,
    CoverageCounts,
    TargetYear,
    targets_for,
)
from service.domain.divisions import DivisionLevel, level_of
from service.domain.errors import NotFound
from service.schemas.divisions import (
    CoverageFigures,
    CoverageReport,
    DistrictCoverage,
    DivisionRead,
    TargetProgressRead,
    Term,
    Vocabularies,
)
from service.schemas.encoding import View
from service.usecases.common import KeysetPage, Services


def _ancestor_codes(code: str) -> list[str]:
    level = level_of(code)
    prefixes = (
        {
            DivisionLevel.DISTRICT: (4,),
            DivisionLevel.TOWNSHIP: (4, 6),
            DivisionLevel.COMMUNITY: (4, 6, 9),
        }.get(level, ())
        if level is not None
        else ()
    )
    return [code[:n] for n in prefixes]


async def get_division(services: Services, *, code: str) -> View[DivisionRead]:
    """One division with its parents, in one query."""
    async with services.database.read() as reader:
        records = await DivisionRepository(reader).get_many([*_ancestor_codes(code), code])
    if not records or records[-1].code != code:
        raise NotFound(f"Hangzhou has no division with code {code}")
    *parents, division = records
    return View(
        DivisionRead,
        {**division.model_dump(), "parents": [parent.model_dump() for parent in parents]},
    )


async def list_divisions(
    services: Services,
    *,
    level: DivisionLevel | None,
    parent_code: str | None,
    name_contains: str | None,
    after: str | None,
    limit: int,
) -> KeysetPage[dict[str, Any]]:
    """A page of divisions in code order, as the values DivisionSummary shows."""
    async with services.database.read() as reader:
        records = await DivisionRepository(reader).list(
            level=level,
            parent_code=parent_code,
            name_contains=name_contains,
            after=after,
            limit=limit + 1,
        )
    divisions = [record.model_dump() for record in records]
    return KeysetPage.of(divisions, limit=limit, key=lambda division: division["code"])


def vocabularies() -> Vocabularies:
    """Every controlled vocabulary with its Chinese labels."""
    return Vocabularies(
        vocabularies={
            name: [Term(code=term.value, label_zh=term.label_zh) for term in vocabulary]
            for name, vocabulary in VOCABULARIES.items()
        }
    )


def _figures(counts: CoverageCounts) -> dict[str, int | float]:
    return {**asdict(counts), "coverage_ratio": counts.coverage_ratio}


async def coverage_report(services: Services, *, year: TargetYear) -> CoverageReport:
    """R14 coverage per district (aggregated in SQL) and the city's progress on its targets."""
    async with services.database.read() as reader:
        rows = await coverage_by_district(reader)
    districts = []
    city = ZERO
    for row in rows:
        counts = CoverageCounts(
            townships_needing_station=row["townships_needing_station"],
            stations=row["stations"],
            operating_stations=row["operating_stations"],
            demonstration_stations=row["demonstration_stations"],
            offices=row["offices"],
            demonstration_offices=row["demonstration_offices"],
        )
        city += counts
        districts.append(
            DistrictCoverage(
                district_code=row["district_code"],
                district_name=row["district_name"],
                **_figures(counts),
            )
        )
    return CoverageReport(
        year=year,
        city=CoverageFigures(**_figures(city)),
        districts=districts,
        targets=[
            TargetProgressRead(
                metric=progress.metric,
                label_zh=METRIC_LABELS_ZH[progress.metric],
                target=progress.target,
                actual=progress.actual,
                ratio=progress.ratio,
                met=progress.met,
            )
            for progress in targets_for(year, city)
        ],
    )
