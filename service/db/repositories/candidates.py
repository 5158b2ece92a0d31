"""The hard filters of matching, in SQL: which providers of each registry can serve a request.

Each registry (`Source`) says how its rows pass each filter – kind, active, area, availability,
capacity, qualification – as SQL expressions over its own columns. Two queries per registry:
one counts, over the rows whose area covers the request (an indexed scan), how many each filter
removes; the other returns the best-placed survivors, pre-ranked by how many required skills
they hold, with the figures the scoring needs (capacity left, open commitments, past ratings,
an existing linkage with the station) computed only for the rows returned.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import KeyedColumnElement

from service.db.reader import Reader, Row
from service.db.tables import (
    CharityResourceRecord,
    LinkageRecord,
    OfferRecord,
    OrganisationRecord,
    SocialWorkerRecord,
    UniversityRecord,
    VolunteerRecord,
    VolunteerTeamMemberRecord,
    VolunteerTeamRecord,
    table,
)
from service.db.types import covering, has_weekday, json_array_contains, json_array_overlaps
from service.domain.matching import Filter
from service.domain.offerings import QuantityUnit, ServiceCategory
from service.domain.requests import OfferStatus, ProviderType

offer = table(OfferRecord)
linkage = table(LinkageRecord)
member = table(VolunteerTeamMemberRecord)

KM_PER_DEGREE_LAT = 111.0
KM_PER_DEGREE_LON = 96.0  # at Hangzhou's latitude (30°N): 111 × cos 30°

CHARITY_KINDS = {
    ServiceCategory.FUNDS: "funds",
    ServiceCategory.GOODS: "goods",
    ServiceCategory.VENUE: "venue",
}
UNIVERSITY_OFFERS = {
    ServiceCategory.UNIVERSITY_SUPPORT: ("practice_base", "internship", "research"),
    ServiceCategory.SUPERVISION: ("supervision",),
    ServiceCategory.TRAINING: ("training",),
}


@dataclass(frozen=True, slots=True)
class Need:
    """The request as the filters see it."""

    request_id: uuid.UUID
    station_id: uuid.UUID
    category: ServiceCategory
    unit: QuantityUnit
    quantity: int
    division_code: str
    required_skills: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    lat: float | None
    lon: float | None
    weekdays: tuple[int, ...]
    now: datetime
    radius_km: float

    @property
    def first_day(self) -> date:
        """The first (UTC) date of the window."""
        return self.starts_at.date()

    @property
    def last_day(self) -> date:
        """The last (UTC) date of the window."""
        return self.ends_at.date()


@dataclass(frozen=True, slots=True)
class Source:
    """How one registry answers the hard filters."""

    provider_type: ProviderType
    table: Table
    name: Callable[[Table], KeyedColumnElement[Any]]
    kind: Callable[[Table, Need], ColumnElement[bool]]
    availability: Callable[[Table, Need], ColumnElement[bool]]
    capacity: Callable[[Table, Need], ColumnElement[Any]]
    qualification: Callable[[Table, Need], ColumnElement[bool]]
    skills: str | None = "skills"
    lat: str | None = None
    lon: str | None = None


def _always(_: Table, __: Need) -> ColumnElement[bool]:
    return true()


def _for_categories(*categories: ServiceCategory) -> Callable[[Table, Need], ColumnElement[bool]]:
    def kind(_: Table, need: Need) -> ColumnElement[bool]:
        return true() if need.category in categories else false()

    return kind


def _one_each(unit_hours: str | None) -> Callable[[Table, Need], ColumnElement[Any]]:
    """A person gives one person or one session; hours come from their weekly hours."""

    def capacity(source: Table, need: Need) -> ColumnElement[Any]:
        if need.unit in (QuantityUnit.PEOPLE, QuantityUnit.SESSIONS):
            return literal(1)
        if need.unit is QuantityUnit.HOURS and unit_hours is not None:
            return func.coalesce(source.c[unit_hours], literal(need.quantity))
        return literal(0)

    return capacity


def _volunteer_availability(source: Table, need: Need) -> ColumnElement[bool]:
    return or_(*(has_weekday(source.c.weekly_availability, day) for day in need.weekdays))


def _team_capacity(source: Table, need: Need) -> ColumnElement[Any]:
    if need.unit is not QuantityUnit.PEOPLE:
        return literal(0)
    members = (
        select(func.count())
        .select_from(member)
        .where(member.c.team_id == source.c.id)
        .scalar_subquery()
    )
    return func.coalesce(source.c.capacity_people, members)


def _organisation_kind(source: Table, need: Need) -> ColumnElement[bool]:
    return json_array_contains(source.c.service_categories, need.category.value)


def _organisation_capacity(source: Table, need: Need) -> ColumnElement[Any]:
    return case(
        (source.c.capacity_amount.is_(None), literal(need.quantity)),
        (source.c.capacity_unit == need.unit.value, source.c.capacity_amount),
        else_=literal(0),
    )


def _agency_if_professional(source: Table, need: Need) -> ColumnElement[bool]:
    if need.category in (ServiceCategory.PROFESSIONAL_SERVICE, ServiceCategory.SUPERVISION):
        return source.c.is_social_work_agency.is_(True)
    return true()


def _charity_kind(source: Table, need: Need) -> ColumnElement[bool]:
    wanted = CHARITY_KINDS.get(need.category)
    return source.c.kind == wanted if wanted else false()


def _charity_validity(source: Table, need: Need) -> ColumnElement[bool]:
    return and_(
        or_(source.c.valid_from.is_(None), source.c.valid_from <= need.last_day),
        or_(source.c.valid_until.is_(None), source.c.valid_until >= need.first_day),
    )


def _charity_capacity(source: Table, need: Need) -> ColumnElement[Any]:
    return case((source.c.unit == need.unit.value, source.c.remaining_quantity), else_=literal(0))


def _university_kind(source: Table, need: Need) -> ColumnElement[bool]:
    offers = UNIVERSITY_OFFERS.get(need.category)
    return json_array_overlaps(source.c.offers, list(offers)) if offers else false()


def _unlimited(_: Table, need: Need) -> ColumnElement[Any]:
    return literal(need.quantity)


def _social_worker_qualification(source: Table, need: Need) -> ColumnElement[bool]:
    if need.category is ServiceCategory.SUPERVISION:
        return source.c.supervisor_level != "none"
    return source.c.certificate_level != "none"


SOURCES: dict[ProviderType, Source] = {
    ProviderType.VOLUNTEER: Source(
        ProviderType.VOLUNTEER,
        table(VolunteerRecord),
        name=lambda t: t.c.name,
        kind=_for_categories(ServiceCategory.VOLUNTEER_SERVICE),
        availability=_volunteer_availability,
        capacity=_one_each("hours_per_week"),
        qualification=_always,
        lat="home_lat",
        lon="home_lon",
    ),
    ProviderType.VOLUNTEER_TEAM: Source(
        ProviderType.VOLUNTEER_TEAM,
        table(VolunteerTeamRecord),
        name=lambda t: t.c.name,
        kind=_for_categories(ServiceCategory.VOLUNTEER_SERVICE),
        availability=_always,
        capacity=_team_capacity,
        qualification=_always,
    ),
    ProviderType.ORGANISATION: Source(
        ProviderType.ORGANISATION,
        table(OrganisationRecord),
        name=lambda t: t.c.name,
        kind=_organisation_kind,
        availability=_always,
        capacity=_organisation_capacity,
        qualification=_agency_if_professional,
        lat="lat",
        lon="lon",
    ),
    ProviderType.CHARITY_RESOURCE: Source(
        ProviderType.CHARITY_RESOURCE,
        table(CharityResourceRecord),
        name=lambda t: t.c.title,
        kind=_charity_kind,
        availability=_charity_validity,
        capacity=_charity_capacity,
        qualification=_always,
        skills=None,
    ),
    ProviderType.UNIVERSITY: Source(
        ProviderType.UNIVERSITY,
        table(UniversityRecord),
        name=lambda t: t.c.name,
        kind=_university_kind,
        availability=_always,
        capacity=_unlimited,
        qualification=_always,
        skills=None,
        lat="lat",
        lon="lon",
    ),
    ProviderType.SOCIAL_WORKER: Source(
        ProviderType.SOCIAL_WORKER,
        table(SocialWorkerRecord),
        name=lambda t: t.c.name,
        kind=_for_categories(ServiceCategory.PROFESSIONAL_SERVICE, ServiceCategory.SUPERVISION),
        availability=_always,
        capacity=_one_each("weekly_hours"),
        qualification=_social_worker_qualification,
    ),
}


def _booked(source: Source, need: Need) -> ColumnElement[Any]:
    """What live offers hold of the provider in windows overlapping this one (or this request)."""
    live = or_(
        offer.c.status == OfferStatus.ACCEPTED.value,
        and_(offer.c.status == OfferStatus.PROPOSED.value, offer.c.expires_at > need.now),
    )
    overlapping = or_(
        offer.c.request_id == need.request_id,
        and_(offer.c.starts_at < need.ends_at, offer.c.ends_at > need.starts_at),
    )
    return (
        select(func.coalesce(func.sum(offer.c.quantity), 0))
        .where(
            offer.c.provider_type == source.provider_type.value,
            offer.c.provider_id == source.table.c.id,
            live,
            overlapping,
        )
        .scalar_subquery()
    )


def _already_offered(source: Source, need: Need) -> ColumnElement[bool]:
    return exists().where(
        offer.c.request_id == need.request_id,
        offer.c.provider_type == source.provider_type.value,
        offer.c.provider_id == source.table.c.id,
        offer.c.status.in_([OfferStatus.PROPOSED.value, OfferStatus.ACCEPTED.value]),
    )


def _area(source: Source, need: Need) -> ColumnElement[bool]:
    covers = covering(source.table.c.service_area, need.division_code)
    if need.lat is None or need.lon is None or source.lat is None or source.lon is None:
        return covers
    dlat, dlon = need.radius_km / KM_PER_DEGREE_LAT, need.radius_km / KM_PER_DEGREE_LON
    lat, lon = source.table.c[source.lat], source.table.c[source.lon]
    near = and_(
        lat.between(need.lat - dlat, need.lat + dlat), lon.between(need.lon - dlon, need.lon + dlon)
    )
    return or_(covers, near)


def _left(source: Source, need: Need) -> ColumnElement[Any]:
    return source.capacity(source.table, need) - _booked(source, need)


def _filters(source: Source, need: Need) -> list[tuple[Filter, ColumnElement[bool]]]:
    t = source.table
    return [
        (Filter.KIND, source.kind(t, need)),
        (Filter.ACTIVE, t.c.status == "active"),
        (Filter.AREA, _area(source, need)),
        (Filter.AVAILABILITY, source.availability(t, need)),
        (Filter.CAPACITY, and_(_left(source, need) > 0, ~_already_offered(source, need))),
        (Filter.QUALIFICATION, source.qualification(t, need)),
    ]


def _skill_matches(source: Source, need: Need) -> ColumnElement[Any]:
    if source.skills is None or not need.required_skills:
        return literal(0)
    column = source.table.c[source.skills]
    return sum(
        (case((json_array_contains(column, skill), 1), else_=0) for skill in need.required_skills),
        start=literal(0),
    )


async def count_removed(reader: Reader, source: Source, need: Need) -> dict[Filter, int]:
    """How many providers of this registry each filter removes, in the order applied.

    Providers that are not of the kind or not active count in two cheap counts; the rest are
    counted over the rows whose area covers the request, which an index finds.
    """
    t = source.table
    filters = _filters(source, need)
    kind, active, area = filters[0][1], filters[1][1], filters[2][1]
    totals = await reader.fetch_one(
        select(
            func.count().label("all"),
            func.coalesce(func.sum(case((kind, 1), else_=0)), 0).label("kind"),
            func.coalesce(func.sum(case((and_(kind, active), 1), else_=0)), 0).label("active"),
        ).select_from(t)
    )
    passing: list[ColumnElement[Any]] = [func.count().label("area")]
    conditions: list[ColumnElement[bool]] = []
    for name, condition in filters[3:]:
        conditions.append(condition)
        passing.append(
            func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0).label(name.value)
        )
    inner = await reader.fetch_one(select(*passing).select_from(t).where(kind, active, area))
    if totals is None or inner is None:  # an aggregate always answers one row
        raise RuntimeError("counting query returned no row")
    remaining = [int(totals["all"]), int(totals["kind"]), int(totals["active"])]
    remaining += [int(inner[name.value]) for name, _ in filters[2:]]
    return {
        name: remaining[index] - remaining[index + 1] for index, (name, _) in enumerate(filters)
    }


def candidates_query(source: Source, need: Need, *, limit: int) -> Select[Any]:
    """The providers that pass every filter, the best placed first, with their scoring figures."""
    t = source.table
    lat = t.c[source.lat] if source.lat else literal(None)
    lon = t.c[source.lon] if source.lon else literal(None)
    skills = t.c[source.skills] if source.skills else literal("[]")
    survivors = (
        select(
            t.c.id.label("provider_id"),
            source.name(t).label("name"),
            skills.label("skills"),
            t.c.service_area.label("service_area"),
            lat.label("lat"),
            lon.label("lon"),
            _left(source, need).label("capacity_left"),
            _skill_matches(source, need).label("skill_matches"),
            *(
                [t.c.weekly_availability, t.c.availability_exceptions]
                if source.provider_type is ProviderType.VOLUNTEER
                else []
            ),
        )
        .where(*(condition for _, condition in _filters(source, need)))
        .order_by(_skill_matches(source, need).desc(), t.c.id)
        .limit(limit)
        .subquery("survivors")
    )
    provider = and_(
        offer.c.provider_type == source.provider_type.value,
        offer.c.provider_id == survivors.c.provider_id,
    )
    rated = and_(
        provider, offer.c.status == OfferStatus.COMPLETED.value, offer.c.rating.isnot(None)
    )
    return select(
        survivors,
        select(func.count())
        .where(provider, offer.c.status == OfferStatus.ACCEPTED.value)
        .scalar_subquery()
        .label("open_commitments"),
        select(func.count()).where(rated).scalar_subquery().label("outcomes"),
        select(func.coalesce(func.sum(offer.c.rating), 0).cast(Integer))
        .where(rated)
        .scalar_subquery()
        .label("rating_sum"),
        exists()
        .where(
            linkage.c.station_id == need.station_id,
            linkage.c.partner_type == source.provider_type.value,
            linkage.c.partner_id == survivors.c.provider_id,
            linkage.c.status == "active",
        )
        .label("linked"),
    )


async def survivors(reader: Reader, source: Source, need: Need, *, limit: int) -> list[Row]:
    """Up to `limit` providers of this registry that pass every hard filter."""
    return await reader.fetch_all(candidates_query(source, need, limit=limit))
