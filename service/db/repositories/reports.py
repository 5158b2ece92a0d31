"""Aggregate queries behind the reports: counted in SQL, never by loading rows."""

from __future__ import annotations

from sqlalchemy import Integer, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from service.db.reader import Reader, Row
from service.db.tables import DivisionRecord, OfficeRecord, StationRecord, table
from service.domain.divisions import DivisionLevel
from service.domain.vocabulary import StationStatus

division = table(DivisionRecord)
station = table(StationRecord)
office = table(OfficeRecord)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


async def coverage_by_district(reader: Reader) -> list[Row]:
    """Per county-level unit: townships needing a station, stations, offices, demonstrations."""
    townships = (
        select(
            division.c.district_code.label("district_code"),
            _count_if(division.c.needs_station).label("townships_needing_station"),
        )
        .where(division.c.level == DivisionLevel.TOWNSHIP.value)
        .group_by(division.c.district_code)
        .subquery()
    )
    stations = (
        select(
            station.c.district_code.label("district_code"),
            func.count().label("stations"),
            _count_if(station.c.status == StationStatus.OPERATING.value).label(
                "operating_stations"
            ),
            _count_if(station.c.is_demonstration).label("demonstration_stations"),
        )
        .group_by(station.c.district_code)
        .subquery()
    )
    offices = (
        select(
            office.c.district_code.label("district_code"),
            func.count().label("offices"),
            _count_if(office.c.is_demonstration).label("demonstration_offices"),
        )
        .group_by(office.c.district_code)
        .subquery()
    )
    query = (
        select(
            division.c.code.label("district_code"),
            division.c.name.label("district_name"),
            func.coalesce(townships.c.townships_needing_station, 0).label(
                "townships_needing_station"
            ),
            func.coalesce(stations.c.stations, 0).label("stations"),
            func.coalesce(stations.c.operating_stations, 0).label("operating_stations"),
            func.coalesce(stations.c.demonstration_stations, 0).label("demonstration_stations"),
            func.coalesce(offices.c.offices, 0).label("offices"),
            func.coalesce(offices.c.demonstration_offices, 0).label("demonstration_offices"),
        )
        .select_from(division)
        .outerjoin(townships, townships.c.district_code == division.c.code)
        .outerjoin(stations, stations.c.district_code == division.c.code)
        .outerjoin(offices, offices.c.district_code == division.c.code)
        .where(division.c.level == DivisionLevel.DISTRICT.value)
        .order_by(division.c.code)
    )
    return await reader.fetch_all(query)
