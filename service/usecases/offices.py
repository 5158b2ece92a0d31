"""Use cases of community featured social work offices (社区特色社会工作室)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import SqlAlchemyReader
from service.db.repositories.divisions import DivisionRepository
from service.db.repositories.stations import (
    OfficeRepository,
    OfficeWriter,
    StationRepository,
)
from service.db.tables import OfficeRecord
from service.domain.access import Caller, check_may_change_station
from service.domain.divisions import DivisionLevel
from service.domain.errors import (
    Conflict,
    FieldProblem,
    NotFound,
    rule_violation,
)
from service.domain.stations import OfficeFilter, default_office_name
from service.schemas.encoding import View
from service.schemas.stations import (
    OfficeCreate,
    OfficeRead,
    OfficeUpdate,
    office_read,
    office_view,
)
from service.usecases.common import KeysetPage, Services, apply_changes, check_version, unit_of_work
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once


async def create_office(
    services: Services,
    *,
    caller: Caller,
    data: OfficeCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Open an office in a community; it belongs to the station of the community's township."""

    async def create(session: AsyncSession) -> Created:
        record = await insert_office(session, services, caller, data)
        return Created(
            body=office_read(record.model_dump()),
            location=f"/v1/offices/{record.id}",
            version=record.version,
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def insert_office(
    session: AsyncSession, services: Services, caller: Caller, data: OfficeCreate
) -> OfficeRecord:
    """Check the community, its station (R5) and the binding; stage and flush a new office
    (POST and bulk)."""
    reader = SqlAlchemyReader(session)
    community = await DivisionRepository(reader).get(data.community_code)
    if community is None or community.level != DivisionLevel.COMMUNITY.value:
        raise rule_violation(
            [
                FieldProblem(
                    "community_code",
                    f"{data.community_code} is not a Hangzhou village-level division code",
                    code="unknown_division",
                )
            ]
        )
    if community.parent_code is None or community.district_code is None:
        raise RuntimeError(f"division {community.code} has no parent in the reference data")
    station_id = await StationRepository(reader).id_for_township(community.parent_code)
    if station_id is None:
        raise rule_violation(
            [
                FieldProblem(
                    "community_code",
                    f"the township {community.parent_code} of {community.name} has no station"
                    " yet; register the station first",
                    code="township_has_no_station",
                    rule="R5",
                )
            ]
        )
    check_may_change_station(caller, station_id, f"the offices of station {station_id}")
    existing = await OfficeRepository(reader).id_for_community(community.code)
    if existing is not None:
        raise Conflict(
            f"{community.name} already has an office",
            code="office_exists",
            extra={"existing_office_id": str(existing)},
        )
    now = services.clock()
    record = OfficeRecord(
        id=uuid.uuid4(),
        community_code=community.code,
        station_id=station_id,
        district_code=community.district_code,
        name=data.name or default_office_name(community.name),
        is_demonstration=data.is_demonstration,
        featured_service=data.featured_service,
        version=1,
        created_at=now,
        updated_at=now,
    )
    OfficeWriter(session).add(record)
    await session.flush()
    return record


async def change_office(
    session: AsyncSession,
    services: Services,
    caller: Caller,
    office_id: uuid.UUID,
    data: OfficeCreate,
) -> bool:
    """Make an office what a whole record says (bulk upsert); whether it changed. Its
    community (and so its station) does not change."""
    record = await OfficeWriter(session).get_for_update(office_id)
    if record is None:
        raise NotFound(f"no office with id {office_id}")
    check_may_change_station(caller, record.station_id, f"office {office_id}")
    if data.community_code != record.community_code:
        raise Conflict(
            "the community of a registered office does not change", code="community_immutable"
        )
    sent = data.model_dump(exclude={"community_code"})
    if sent["name"] is None:
        sent.pop("name")  # the name it was given stays
    if all(getattr(record, field) == value for field, value in sent.items()):
        return False
    apply_changes(record, sent, now=services.clock())
    return True


async def get_office(services: Services, *, office_id: uuid.UUID) -> View[OfficeRead]:
    """One office by id."""
    async with services.database.read() as reader:
        row = await OfficeRepository(reader).get(office_id)
    if row is None:
        raise NotFound(f"no office with id {office_id}")
    return office_view(row)


async def list_offices(
    services: Services, *, where: OfficeFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of offices in community-code order, as the values OfficeRead shows."""
    async with services.database.read() as reader:
        rows = await OfficeRepository(reader).list(where, after=after, limit=limit + 1)
    offices = [office_view(row).values for row in rows]
    return KeysetPage.of(offices, limit=limit, key=lambda office: office["community_code"])


async def update_office(
    services: Services,
    *,
    caller: Caller,
    office_id: uuid.UUID,
    expected_version: frozenset[int] | None,
    changes: OfficeUpdate,
) -> OfficeRead:
    """Apply a partial update under optimistic concurrency."""
    async with unit_of_work(services.database) as session:
        record = await OfficeWriter(session).get_for_update(office_id)
        if record is None:
            raise NotFound(f"no office with id {office_id}")
        check_may_change_station(caller, record.station_id, f"office {office_id}")
        check_version("office", current=record.version, expected=expected_version)
        sent = changes.model_dump(include=changes.model_fields_set)
        if any(getattr(record, field) != value for field, value in sent.items()):
            apply_changes(record, sent, now=services.clock())
            await session.flush()
        result = office_read(record.model_dump())
    return result
