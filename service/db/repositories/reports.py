"""Aggregate queries behind the reports: counted in SQL, never by loading rows."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, func, select

from service.db.reader import Reader, Row
from service.db.tables import (
    DivisionRecord,
    LinkageRecord,
    OfficeRecord,
    SocialWorkerRecord,
    StationRecord,
    table,
)
from service.db.types import count_if
from service.domain.divisions import DivisionLevel
from service.domain.linkages import PartnerType
from service.domain.partners import PartnerStatus
from service.domain.vocabulary import StationStatus

division = table(DivisionRecord)
station = table(StationRecord)
office = table(OfficeRecord)
linkage = table(LinkageRecord)
social_worker = table(SocialWorkerRecord)


async def coverage_by_district(reader: Reader) -> list[Row]:
    """Per county-level unit: townships needing a station, stations, offices, demonstrations."""
    townships = (
        select(
            division.c.district_code.label("district_code"),
            count_if(division.c.needs_station).label("townships_needing_station"),
        )
        .where(division.c.level == DivisionLevel.TOWNSHIP.value)
        .group_by(division.c.district_code)
        .subquery()
    )
    stations = (
        select(
            station.c.district_code.label("district_code"),
            func.count().label("stations"),
            count_if(station.c.status == StationStatus.OPERATING.value).label("operating_stations"),
            count_if(station.c.is_demonstration).label("demonstration_stations"),
        )
        .group_by(station.c.district_code)
        .subquery()
    )
    offices = (
        select(
            office.c.district_code.label("district_code"),
            func.count().label("offices"),
            count_if(office.c.is_demonstration).label("demonstration_offices"),
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


async def demonstrations_by_year(reader: Reader) -> list[Row]:
    """Demonstration stations per district and year of designation (R14, R17)."""
    query = (
        select(
            station.c.district_code, station.c.demonstration_year, func.count().label("stations")
        )
        .where(station.c.is_demonstration)
        .group_by(station.c.district_code, station.c.demonstration_year)
    )
    return await reader.fetch_all(query)


async def districts(reader: Reader, district_code: str | None = None) -> list[Row]:
    """County-level units (one, or all thirteen) by code, with their names."""
    query = select(division.c.code, division.c.name).where(
        division.c.level == DivisionLevel.DISTRICT.value
    )
    if district_code is not None:
        query = query.where(division.c.code == district_code)
    return await reader.fetch_all(query.order_by(division.c.code))


async def stations_in(reader: Reader, scope: Select[Any]) -> list[Row]:
    """The stations of a scope with their names and divisions, in district and township order."""
    query = (
        select(station.c.id, station.c.name, station.c.district_code, station.c.township_code)
        .where(station.c.id.in_(scope))
        .order_by(station.c.district_code, station.c.township_code)
    )
    return await reader.fetch_all(query)


async def stations_linked_with(reader: Reader, organisation_id: uuid.UUID) -> set[uuid.UUID]:
    """The stations an organisation is a partner of, in any linkage."""
    query = select(linkage.c.station_id).where(
        linkage.c.partner_type == PartnerType.ORGANISATION.value,
        linkage.c.partner_id == organisation_id,
    )
    return {row["station_id"] for row in await reader.fetch_all(query)}


async def workforce(reader: Reader, scope: Select[Any]) -> list[Row]:
    """Active social workers of the stations per district, certificate level, employment and
    supervisor level."""
    columns = social_worker.c
    query = (
        select(
            station.c.district_code,
            columns.certificate_level,
            columns.employment,
            columns.supervisor_level,
            func.count().label("workers"),
        )
        .join(station, station.c.id == columns.station_id)
        .where(columns.station_id.in_(scope), columns.status == PartnerStatus.ACTIVE.value)
        .group_by(
            station.c.district_code,
            columns.certificate_level,
            columns.employment,
            columns.supervisor_level,
        )
    )
    return await reader.fetch_all(query)
