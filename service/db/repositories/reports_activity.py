"""Aggregates behind the linkage report and the volunteer-hours report, counted in SQL.

Every query is narrowed to the stations of a scope (a select of station ids) and, where it
counts events, to a period of instants or service dates. Distinct partners are counted per
district and city in SQL too: such counts do not add up across groups. Volunteer hours are read
from `volunteer_hours`, the ledger summed per request and day by triggers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Float,
    Integer,
    Select,
    String,
    and_,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
)

from service.db.reader import Reader, Row
from service.db.repositories.supervision import active_linkage_on
from service.db.tables import (
    LinkageRecord,
    OfferRecord,
    ResourceRequestRecord,
    StationRecord,
    VolunteerHoursRecord,
    table,
)
from service.db.types import count_if, hours_between, json_array_contains, year_month
from service.domain.linkages import PartnerType
from service.domain.offerings import Skill
from service.domain.requests import OfferStatus, RequestStatus

station = table(StationRecord)
linkage = table(LinkageRecord)
request = table(ResourceRequestRecord)
offer = table(OfferRecord)
volunteer_hours = table(VolunteerHoursRecord)

COMMITTED_OFFER = [OfferStatus.ACCEPTED.value, OfferStatus.COMPLETED.value]
FULFILLED = [RequestStatus.FULFILLED.value, RequestStatus.CLOSED.value]


def _constant(text: str) -> ColumnElement[str]:
    """A constant text column (written into the SQL: no parameter to type)."""
    return literal_column(f"'{text}'", String)


def _active_ends(scope: Select[Any], as_of: date) -> CompoundSelect[Any]:
    """Each active linkage from each station end in scope (a pairing from both ends)."""
    direct = select(
        linkage.c.id.label("linkage_id"),
        linkage.c.station_id.label("station_id"),
        linkage.c.kind,
        linkage.c.partner_type,
        linkage.c.partner_id,
    ).where(active_linkage_on(as_of), linkage.c.station_id.in_(scope))
    reverse = select(
        linkage.c.id.label("linkage_id"),
        linkage.c.partner_id.label("station_id"),
        linkage.c.kind,
        linkage.c.partner_type,
        linkage.c.station_id.label("partner_id"),
    ).where(
        active_linkage_on(as_of),
        linkage.c.partner_type == PartnerType.STATION.value,
        linkage.c.partner_id.in_(scope),
    )
    return direct.union_all(reverse)


class ActivityRepository:
    """The linkage report's and the volunteer-hours report's grouped reads."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def partners(self, scope: Select[Any], as_of: date) -> list[Row]:
        """Distinct partners with an active linkage, per partner type: per station, per
        district and for the city (`level` says which; `key` the station or district)."""
        ends = _active_ends(scope, as_of).cte("ends")
        joined = ends.join(station, station.c.id == ends.c.station_id)
        partner = func.count(func.distinct(ends.c.partner_id))
        by = [
            select(
                _constant("station").label("level"),
                cast(ends.c.station_id, String).label("key"),
                ends.c.partner_type,
                partner.label("partners"),
            )
            .select_from(joined)
            .group_by(ends.c.station_id, ends.c.partner_type),
            select(
                _constant("district").label("level"),
                station.c.district_code.label("key"),
                ends.c.partner_type,
                partner.label("partners"),
            )
            .select_from(joined)
            .group_by(station.c.district_code, ends.c.partner_type),
            select(
                _constant("city").label("level"),
                _constant("city").label("key"),
                ends.c.partner_type,
                partner.label("partners"),
            )
            .select_from(joined)
            .group_by(ends.c.partner_type),
        ]
        return await self.reader.fetch_all(select(by[0].union_all(*by[1:]).subquery()))

    async def linkages_by_kind(self, scope: Select[Any], as_of: date) -> list[Row]:
        """Active linkages per kind and district of the station that registered them (a
        pairing counts once)."""
        query = (
            select(station.c.district_code, linkage.c.kind, func.count().label("linkages"))
            .select_from(linkage.join(station, station.c.id == linkage.c.station_id))
            .where(
                active_linkage_on(as_of),
                or_(
                    linkage.c.station_id.in_(scope),
                    and_(
                        linkage.c.partner_type == PartnerType.STATION.value,
                        linkage.c.partner_id.in_(scope),
                    ),
                ),
            )
            .group_by(station.c.district_code, linkage.c.kind)
        )
        return await self.reader.fetch_all(query)

    def _requests(self, scope: Select[Any], start: datetime, end: datetime) -> Any:
        """The requests posted in the period, with their first commitment's instant (a CTE:
        PostgreSQL computes it once however often the statement reads it)."""
        in_period = and_(
            request.c.station_id.in_(scope),
            request.c.created_at >= start,
            request.c.created_at < end,
        )
        first = (
            select(offer.c.request_id, func.min(offer.c.responded_at).label("committed_at"))
            .where(
                offer.c.request_id.in_(select(request.c.id).where(in_period)),
                offer.c.status.in_(COMMITTED_OFFER),
                offer.c.responded_at.is_not(None),
            )
            .group_by(offer.c.request_id)
            .subquery()
        )
        return (
            select(
                request.c.id,
                request.c.station_id,
                request.c.district_code,
                request.c.category,
                request.c.urgency,
                request.c.status,
                hours_between(first.c.committed_at, request.c.created_at).label("hours"),
            )
            .outerjoin(first, first.c.request_id == request.c.id)
            .where(in_period)
            .cte("posted")
        )

    async def requests(self, scope: Select[Any], start: datetime, end: datetime) -> list[Row]:
        """Requests posted in the period, in one statement that reads them once: per station,
        category and urgency how many were posted, committed and fulfilled (`level` 'station'),
        and the median hours from posting to first commitment per district and for the city
        (`level` 'district', 'city'). Window functions give the middle rows portably (SQLite
        has no percentile_cont)."""
        posted = self._requests(scope, start, end)
        counts = select(
            _constant("station").label("level"),
            cast(posted.c.station_id, String).label("key"),
            posted.c.district_code,
            posted.c.category,
            posted.c.urgency,
            func.count().label("posted"),
            count_if(posted.c.hours.is_not(None)).label("committed"),
            count_if(posted.c.status.in_(FULFILLED)).label("fulfilled"),
            cast(null(), Float).label("median_hours"),
        ).group_by(posted.c.station_id, posted.c.district_code, posted.c.category, posted.c.urgency)
        committed = select(posted.c.district_code, posted.c.hours).where(
            posted.c.hours.is_not(None)
        )
        medians = []
        for level, key in (("district", posted.c.district_code), ("city", _constant("city"))):
            # PostgreSQL refuses a constant to partition by: the city is one partition.
            partition = None if level == "city" else key
            ranked = committed.add_columns(
                key.label("key"),
                func.row_number().over(partition_by=partition, order_by=posted.c.hours).label("n"),
                func.count().over(partition_by=partition).label("total"),
            ).subquery()
            middle = ranked.c.n.in_([(ranked.c.total + 1) // 2, (ranked.c.total + 2) // 2])
            blank_text, blank_count = cast(null(), String), cast(null(), Integer)
            medians.append(
                select(
                    _constant(level),
                    ranked.c.key,
                    blank_text,
                    blank_text,
                    blank_text,
                    blank_count,
                    blank_count,
                    blank_count,
                    func.avg(ranked.c.hours),
                )
                .where(middle)
                .group_by(ranked.c.key)
            )
        return await self.reader.fetch_all(select(counts.union_all(*medians).subquery()))

    def _days(self, scope: Select[Any], first: date, last: date) -> Any:
        """The ledger's hours per request and service day in the period (the summary the
        triggers keep), with the request's station; a CTE, read once however grouped."""
        return (
            select(
                volunteer_hours.c.request_id,
                volunteer_hours.c.station_id,
                volunteer_hours.c.service_date,
                volunteer_hours.c.hours,
                volunteer_hours.c.records,
            )
            .where(
                volunteer_hours.c.station_id.in_(scope),
                volunteer_hours.c.service_date >= first,
                volunteer_hours.c.service_date <= last,
                volunteer_hours.c.records > 0,
            )
            .cte("days")
        )

    async def hours(self, scope: Select[Any], first: date, last: date) -> list[Row]:
        """Volunteer hours and service records per station, per district, per month and for
        the city."""
        days = self._days(scope, first, last)
        joined = days.join(station, station.c.id == days.c.station_id)

        def grouped(level: str, key: Any | None) -> Select[Any]:
            query = select(
                _constant(level).label("level"),
                (key if key is not None else _constant(level)).label("key"),
                func.sum(days.c.hours).label("hours"),
                func.sum(days.c.records).label("records"),
            ).select_from(joined)
            return query if key is None else query.group_by(key)

        by = [
            grouped("station", cast(days.c.station_id, String)),
            grouped("district", station.c.district_code),
            grouped("month", year_month(days.c.service_date)),
            grouped("city", None),
        ]
        return await self.reader.fetch_all(select(by[0].union_all(*by[1:]).subquery()))

    async def hours_by_skill(self, scope: Select[Any], first: date, last: date) -> list[Row]:
        """Volunteer hours and records per skill the served request asked for (a request's
        hours count under each of its skills)."""
        days = self._days(scope, first, last)
        skills = (
            select(_constant(Skill.HOME_VISITS.value).label("skill"))
            .union_all(*(select(_constant(skill.value)) for skill in list(Skill)[1:]))
            .subquery("skills")
        )
        query = (
            select(
                skills.c.skill,
                func.sum(days.c.hours).label("hours"),
                func.sum(days.c.records).label("records"),
            )
            .select_from(days)
            .join(request, request.c.id == days.c.request_id)
            .join(skills, json_array_contains(request.c.required_skills, skills.c.skill))
            .group_by(skills.c.skill)
        )
        return await self.reader.fetch_all(query)
