"""Use cases of township/street social work stations."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import SqlAlchemyReader
from service.db.repositories.divisions import DivisionRepository, to_domain
from service.db.repositories.stations import StationRepository, StationWriter
from service.db.tables import StationRecord
from service.domain.access import Caller, check_may_change_station, check_unbound
from service.domain.errors import Conflict, NotFound, a, rule_violation
from service.domain.geo import Point
from service.domain.stations import (
    ServiceItem,
    StationFilter,
    StationProfile,
    name_problems,
    official_station_name,
    profile_problems,
    township_problems,
    transition_allowed,
)
from service.domain.vocabulary import (
    Facility,
    FocusGroup,
    ManagementSystem,
    OperatingMode,
    ServiceItemCategory,
    Specialty,
    StationStatus,
)
from service.schemas.encoding import View
from service.schemas.stations import (
    StationCreate,
    StationRead,
    StationUpdate,
    station_read,
    station_view,
)
from service.usecases.common import KeysetPage, Services, apply_changes, check_version, unit_of_work
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once


def _profile_of(values: dict[str, Any]) -> StationProfile:
    location = values.get("location")
    return StationProfile(
        status=StationStatus(values["status"]),
        operating_mode=OperatingMode(values["operating_mode"])
        if values.get("operating_mode")
        else None,
        is_demonstration=bool(values["is_demonstration"]),
        demonstration_year=values.get("demonstration_year"),
        facilities=frozenset(Facility(v) for v in values["facilities"]),
        management_systems=frozenset(ManagementSystem(v) for v in values["management_systems"]),
        specialties=frozenset(Specialty(v) for v in values["specialties"]),
        focus_groups=frozenset(FocusGroup(v) for v in values["focus_groups"]),
        service_items=tuple(
            ServiceItem(title=item["title"], category=ServiceItemCategory(item["category"]))
            for item in values["service_items"]
        ),
        location=Point(location["lat"], location["lon"]) if location else None,
    )


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """API field values as table columns: the location splits into lat and lon."""
    columns = dict(values)
    if "location" in columns:
        location = columns.pop("location")
        columns["lat"] = location["lat"] if location else None
        columns["lon"] = location["lon"] if location else None
    return columns


def _stored_values(record: StationRecord) -> dict[str, Any]:
    return station_read(record.model_dump()).model_dump(mode="json")


async def create_station(
    services: Services,
    *,
    caller: Caller,
    data: StationCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Register a station: checks R1, R2, R8 and the profile, then inserts (idempotently)."""
    check_unbound(caller, "the station registry (registering stations is the bureau's)")

    async def create(session: AsyncSession) -> Created:
        record = await insert_station(session, services, caller, data)
        body = station_read(record.model_dump())
        return Created(body=body, location=f"/v1/stations/{record.id}", version=record.version)

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def insert_station(
    session: AsyncSession, services: Services, caller: Caller, data: StationCreate
) -> StationRecord:
    """Check R1, R2, R8 and the profile, then stage and flush a new station (POST and bulk)."""
    check_unbound(caller, "the station registry (registering stations is the bureau's)")
    reader = SqlAlchemyReader(session)
    divisions = DivisionRepository(reader)
    township = await divisions.get(data.township_code)
    problems = township_problems(data.township_code, to_domain(township) if township else None)
    if problems or township is None or township.parent_code is None:
        raise rule_violation(problems)
    district = await divisions.get(township.parent_code)
    if district is None:
        raise RuntimeError(f"district {township.parent_code} missing from the reference data")
    official = official_station_name(to_domain(district), to_domain(township))
    values = data.model_dump(mode="json", exclude={"township_code", "name"})
    problems = name_problems(data.name, official) + profile_problems(
        _profile_of(values), current_year=services.clock().year
    )
    if problems:
        raise rule_violation(problems)
    existing = await StationRepository(reader).id_for_township(data.township_code)
    if existing is not None:
        raise Conflict(
            f"{township.name} already has a station",
            code="station_exists",
            rule="R2",
            extra={"existing_station_id": str(existing)},
        )
    now = services.clock()
    record = StationRecord(
        id=uuid.uuid4(),
        township_code=township.code,
        district_code=district.code,
        name=official,
        version=1,
        created_at=now,
        updated_at=now,
        **_columns(values),
    )
    StationWriter(session).add(record)
    await session.flush()
    return record


async def change_station(
    session: AsyncSession,
    services: Services,
    caller: Caller,
    station_id: uuid.UUID,
    data: StationCreate,
) -> bool:
    """Make a station what a whole record says (bulk upsert): the PATCH rules; whether it
    changed. The township (and so the R1 name) of a station does not change."""
    record = await StationWriter(session).get_for_update(station_id)
    if record is None:
        raise NotFound(f"no station with id {station_id}")
    check_may_change_station(caller, station_id, f"station {station_id}")
    if data.township_code != record.township_code:
        raise Conflict(
            "the township of a registered station does not change", code="township_immutable"
        )
    if data.name is not None and data.name != record.name:
        raise rule_violation(name_problems(data.name, record.name))
    return await _changed(
        services, record, data.model_dump(mode="json", exclude={"township_code", "name"})
    )


async def _changed(services: Services, record: StationRecord, sent: dict[str, Any]) -> bool:
    """Apply `sent` under the profile rules; False when it changes nothing."""
    current = _stored_values(record)
    merged = current | sent
    if merged == current:
        return False
    old_status, new_status = StationStatus(current["status"]), StationStatus(merged["status"])
    if not transition_allowed(old_status, new_status):
        raise Conflict(
            f"{a(old_status)} station cannot become {new_status}",
            code="illegal_status_transition",
            extra={"current_status": old_status.value},
        )
    problems = profile_problems(_profile_of(merged), current_year=services.clock().year)
    if problems:
        raise rule_violation(problems)
    apply_changes(record, _columns(sent), now=services.clock())
    return True


async def get_station(services: Services, *, station_id: uuid.UUID) -> View[StationRead]:
    """One station by id."""
    async with services.database.read() as reader:
        row = await StationRepository(reader).get(station_id)
    if row is None:
        raise NotFound(f"no station with id {station_id}")
    return station_view(row)


async def list_stations(
    services: Services, *, where: StationFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of stations in township-code order, as the values StationRead shows."""
    async with services.database.read() as reader:
        rows = await StationRepository(reader).list(where, after=after, limit=limit + 1)
    stations = [station_view(row).values for row in rows]
    return KeysetPage.of(stations, limit=limit, key=lambda station: station["township_code"])


async def update_station(
    services: Services,
    *,
    caller: Caller,
    station_id: uuid.UUID,
    expected_version: frozenset[int] | None,
    changes: StationUpdate,
) -> StationRead:
    """Apply a partial update under optimistic concurrency; re-check every profile rule."""
    async with unit_of_work(services.database) as session:
        record = await StationWriter(session).get_for_update(station_id)
        if record is None:
            raise NotFound(f"no station with id {station_id}")
        check_may_change_station(caller, station_id, f"station {station_id}")
        check_version("station", current=record.version, expected=expected_version)
        sent = changes.model_dump(mode="json", include=changes.model_fields_set)
        if not await _changed(services, record, sent):
            return station_read(record.model_dump())
        await session.flush()
        result = station_read(record.model_dump())
    return result
