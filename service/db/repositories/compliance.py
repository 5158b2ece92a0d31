"""The facts station compliance is judged on, for one station or many, in six grouped reads:
stations with their divisions, staff by qualification, linkages active on the day, sessions in
the quarter, each active worker's training hours in the year, and offices' certified staff.

`scope` is a select of station ids (one station, a township, a district, the city): every read
is filtered by it, so one station costs what the city costs per station.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from service.db.reader import Reader, Row
from service.db.repositories.supervision import active_linkage_on
from service.db.tables import (
    DivisionRecord,
    LinkageRecord,
    OfficeRecord,
    SocialWorkerRecord,
    StationRecord,
    SupervisionSessionRecord,
    TrainingRecordRecord,
    table,
)
from service.db.types import count_if
from service.domain.compliance import INTERMEDIATE_OR_SENIOR
from service.domain.linkages import LinkageKind, PartnerType
from service.domain.partners import CertificateLevel, Employment, PartnerStatus
from service.domain.supervision import SessionStatus, TrainingStatus, Window

station = table(StationRecord)
office = table(OfficeRecord)
division = table(DivisionRecord)
social_worker = table(SocialWorkerRecord)
linkage = table(LinkageRecord)
supervision_session = table(SupervisionSessionRecord)
training = table(TrainingRecordRecord)
township = division.alias("township")
district = division.alias("district")
other_station = station.alias("other_station")
other_district = division.alias("other_district")

_CERTIFIED = social_worker.c.certificate_level != CertificateLevel.NONE.value


def station_scope(
    *,
    station_id: uuid.UUID | None = None,
    district_code: str | None = None,
    township_code: str | None = None,
) -> Select[Any]:
    """The ids of the stations judged: one, those of a township or district, or all."""
    query = select(station.c.id)
    if station_id is not None:
        query = query.where(station.c.id == station_id)
    if district_code is not None:
        query = query.where(station.c.district_code == district_code)
    if township_code is not None:
        query = query.where(station.c.township_code == township_code)
    return query


class ComplianceRepository:
    """The grouped reads behind a station's verdicts and the compliance report."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def stations(self, scope: Select[Any]) -> list[Row]:
        """The stations with their township's and district's names and kinds, and how many
        stations share the township (R2)."""
        sharing = (
            select(station.c.township_code, func.count().label("stations_in_township"))
            .group_by(station.c.township_code)
            .subquery()
        )
        query = (
            select(
                station,
                township.c.name.label("township_name"),
                township.c.needs_station.label("township_needs_station"),
                district.c.name.label("district_name"),
                district.c.kind.label("district_kind"),
                sharing.c.stations_in_township,
            )
            .join(township, township.c.code == station.c.township_code)
            .join(district, district.c.code == station.c.district_code)
            .join(sharing, sharing.c.township_code == station.c.township_code)
            .where(station.c.id.in_(scope))
            .order_by(station.c.district_code, station.c.township_code)
        )
        return await self.reader.fetch_all(query)

    async def staffing(self, scope: Select[Any]) -> list[Row]:
        """Active social workers per station: all, certified, full-time certified (R3),
        intermediate or senior (R4)."""
        columns = social_worker.c
        query = (
            select(
                columns.station_id,
                func.count().label("social_workers"),
                count_if(_CERTIFIED).label("certified"),
                count_if(and_(_CERTIFIED, columns.employment == Employment.FULL_TIME.value)).label(
                    "full_time_certified"
                ),
                count_if(columns.certificate_level.in_(sorted(INTERMEDIATE_OR_SENIOR))).label(
                    "intermediate_or_senior"
                ),
            )
            .where(columns.station_id.in_(scope), columns.status == PartnerStatus.ACTIVE.value)
            .group_by(columns.station_id)
        )
        return await self.reader.fetch_all(query)

    async def linkages(self, scope: Select[Any], as_of: date) -> list[Row]:
        """Operating contracts, supervision linkages and pairings active on the day that the
        stations are an end of, with both ends' district kinds (R9, R10, R16)."""
        home_district = district.alias("home_district")
        query = (
            select(
                linkage.c.id,
                linkage.c.station_id,
                linkage.c.kind,
                linkage.c.partner_type,
                linkage.c.partner_id,
                linkage.c.starts_on,
                linkage.c.ends_on,
                home_district.c.kind.label("station_district_kind"),
                other_district.c.kind.label("partner_district_kind"),
            )
            .select_from(
                linkage.join(station, station.c.id == linkage.c.station_id)
                .join(home_district, home_district.c.code == station.c.district_code)
                .outerjoin(
                    other_station,
                    and_(
                        linkage.c.partner_type == PartnerType.STATION.value,
                        other_station.c.id == linkage.c.partner_id,
                    ),
                )
                .outerjoin(other_district, other_district.c.code == other_station.c.district_code)
            )
            .where(
                linkage.c.kind.in_(
                    [
                        LinkageKind.OPERATING_CONTRACT.value,
                        LinkageKind.SUPERVISION.value,
                        LinkageKind.PAIRING.value,
                    ]
                ),
                active_linkage_on(as_of),
                or_(
                    linkage.c.station_id.in_(scope),
                    and_(
                        linkage.c.partner_type == PartnerType.STATION.value,
                        linkage.c.partner_id.in_(scope),
                    ),
                ),
            )
            .order_by(linkage.c.starts_on, linkage.c.id)
        )
        return await self.reader.fetch_all(query)

    async def sessions(self, scope: Select[Any], quarter: Window) -> list[Row]:
        """Recorded sessions per station in the quarter, and the last one held by its end."""
        columns = supervision_session.c
        recorded = columns.status == SessionStatus.RECORDED.value
        query = (
            select(
                columns.station_id,
                count_if(columns.held_on >= quarter.first).label("sessions_in_quarter"),
                func.max(columns.held_on).label("last_session_on"),
            )
            .where(columns.station_id.in_(scope), recorded, columns.held_on <= quarter.last)
            .group_by(columns.station_id)
        )
        return await self.reader.fetch_all(query)

    async def training(self, scope: Select[Any], year: Window) -> list[Row]:
        """Every active worker of the stations, with their name (for the caller's disclosure to
        show or mask) and the training hours they completed in the year (recorded, not voided;
        zero for none): one join, grouped by worker."""
        joined = social_worker.outerjoin(
            training,
            and_(
                training.c.social_worker_id == social_worker.c.id,
                training.c.status == TrainingStatus.RECORDED.value,
                training.c.completed_on >= year.first,
                training.c.completed_on <= year.last,
            ),
        )
        query = (
            select(
                social_worker.c.id,
                social_worker.c.name,
                social_worker.c.station_id,
                social_worker.c.certificate_level,
                func.coalesce(func.sum(training.c.hours), 0.0).label("hours"),
            )
            .select_from(joined)
            .where(
                social_worker.c.station_id.in_(scope),
                social_worker.c.status == PartnerStatus.ACTIVE.value,
            )
            .group_by(social_worker.c.id)
            .order_by(social_worker.c.station_id, social_worker.c.created_at, social_worker.c.id)
        )
        return await self.reader.fetch_all(query)

    async def office(self, office_id: uuid.UUID) -> Row | None:
        """An office with its station and how many active certified workers serve it (R5)."""
        certified = (
            select(func.count())
            .select_from(social_worker)
            .where(
                social_worker.c.office_id == office.c.id,
                social_worker.c.status == PartnerStatus.ACTIVE.value,
                _CERTIFIED,
            )
            .scalar_subquery()
        )
        query = select(
            office.c.id,
            office.c.name,
            office.c.station_id,
            office.c.community_code,
            office.c.is_demonstration,
            certified.label("certified"),
        ).where(office.c.id == office_id)
        return await self.reader.fetch_one(query)
