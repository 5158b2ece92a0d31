"""A station's network in three reads: the station with its office count, its social workers
counted by qualification, and its active linkages with every partner's name (joined, not N+1)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select

from service.db.reader import Reader, Row
from service.db.repositories.linkages import (
    PARTNER_TABLES,
    home_station,
    involving,
    linkage,
    linkage_select,
    partner_station,
)
from service.db.tables import OfficeRecord, SocialWorkerRecord, StationRecord, table
from service.domain.linkages import LinkageStatus, PartnerType
from service.domain.partners import PartnerStatus

station = table(StationRecord)
office = table(OfficeRecord)
social_worker = table(SocialWorkerRecord)

_partners = {kind: source.alias(f"partner_{kind.value}") for kind, source in PARTNER_TABLES.items()}


def _name_column(kind: PartnerType) -> ColumnElement[Any]:
    source = _partners[kind]
    return source.c.title if kind is PartnerType.CHARITY_RESOURCE else source.c.name


def _partner_name(station_id: uuid.UUID) -> ColumnElement[Any]:
    """The other end's name as the station sees it: for a pairing, the other station's."""
    other_station = case(
        (linkage.c.station_id == station_id, partner_station.c.name), else_=home_station.c.name
    )
    return case(
        (linkage.c.partner_type == PartnerType.STATION.value, other_station),
        else_=func.coalesce(*(_name_column(kind) for kind in _partners)),
    ).label("partner_name")


class NetworkRepository:
    """The reads behind GET /v1/stations/{id}/network."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def station(self, station_id: uuid.UUID) -> Row | None:
        """The station's id and name, and how many community offices it has."""
        offices = (
            select(func.count())
            .select_from(office)
            .where(office.c.station_id == station.c.id)
            .scalar_subquery()
        )
        query = select(station.c.id, station.c.name, offices.label("offices")).where(
            station.c.id == station_id
        )
        return await self.reader.fetch_one(query)

    async def linked_with(self, station_id: uuid.UUID, organisation_id: uuid.UUID) -> bool:
        """Whether the organisation is a partner of the station, in any linkage."""
        found = await self.reader.scalar(
            select(linkage.c.id)
            .where(
                linkage.c.station_id == station_id,
                linkage.c.partner_type == PartnerType.ORGANISATION.value,
                linkage.c.partner_id == organisation_id,
            )
            .limit(1)
        )
        return found is not None

    async def staffing(self, station_id: uuid.UUID) -> list[Row]:
        """Head counts of the station's active social workers by certificate and employment."""
        query = (
            select(
                social_worker.c.certificate_level,
                social_worker.c.employment,
                func.count().label("heads"),
            )
            .where(
                social_worker.c.station_id == station_id,
                social_worker.c.status == PartnerStatus.ACTIVE.value,
            )
            .group_by(social_worker.c.certificate_level, social_worker.c.employment)
        )
        return await self.reader.fetch_all(query)

    async def active_linkages(self, station_id: uuid.UUID) -> list[Row]:
        """The station's active linkages (pairings from either side) with the partner's name."""
        query = linkage_select(_partner_name(station_id))
        for kind, source in _partners.items():
            query = query.outerjoin(
                source,
                and_(linkage.c.partner_type == kind.value, source.c.id == linkage.c.partner_id),
            )
        query = query.where(
            involving(station_id), linkage.c.status == LinkageStatus.ACTIVE.value
        ).order_by(linkage.c.starts_on, linkage.c.id)
        return await self.reader.fetch_all(query)
