"""Use cases of resource requests: what stations need, changed while it is being answered,
cancelled or closed, and expired when its window passes unanswered."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import SqlAlchemyReader
from service.db.repositories.divisions import DivisionRepository, to_domain
from service.db.repositories.keyset import encode_key
from service.db.repositories.resource_requests import (
    ResourceRequestRepository,
    add_request,
    expire_open_requests,
    expire_proposed_offers,
    lapse_proposals,
    live_offers,
    request_for_update,
    withdraw_live_offers,
)
from service.db.repositories.stations import OfficeRepository, StationRepository
from service.db.tables import ResourceRequestRecord
from service.domain.access import Caller, check_may_change_station
from service.domain.errors import FieldProblem, NotFound, rule_violation
from service.domain.geo import Point
from service.domain.offerings import QuantityUnit, ServiceCategory
from service.domain.requests import (
    LIVE_OFFER,
    LapseReason,
    OfferStatus,
    RequestFilter,
    RequestStatus,
    Window,
    check_editable,
    check_quantity,
    check_window_change,
    commitment_status,
    lapse_reason,
    location_problems,
    move_request,
    office_problems,
    place_problems,
    request_problems,
)
from service.schemas.common import LocationIn
from service.schemas.encoding import View
from service.schemas.resource_requests import (
    ResourceRequestCreate,
    ResourceRequestRead,
    ResourceRequestUpdate,
    WindowIn,
    resource_request_read,
    resource_request_view,
)
from service.usecases.common import KeysetPage, Services, apply_changes, check_version, unit_of_work
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once
from service.usecases.partners import location_columns
from service.usecases.request_access import check_station_side, sees_request


def _point(location: LocationIn | None) -> Point | None:
    return None if location is None else Point(location.lat, location.lon)


def _window(window: WindowIn) -> Window:
    return Window(starts_at=window.starts_at, ends_at=window.ends_at)


def _location(path: str, request_id: uuid.UUID) -> str:
    return f"/v1/resource-requests/{request_id}{path}"


async def create_request(
    services: Services,
    *,
    caller: Caller,
    data: ResourceRequestCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Post a station's request: a unit that fits the category, a sane window, a place in the
    station's township, an office of that station; it starts `open`."""
    check_may_change_station(caller, data.station_id, f"the requests of station {data.station_id}")

    async def create(session: AsyncSession) -> Created:
        reader = SqlAlchemyReader(session)
        now = services.clock()
        problems = request_problems(
            category=data.category, unit=data.unit, window=_window(data.window), now=now
        )
        problems += location_problems(_point(data.location))
        station = await StationRepository(reader).get(data.station_id)
        if station is None:
            problems.insert(
                0,
                FieldProblem(
                    "station_id", f"no station with id {data.station_id}", code="unknown_station"
                ),
            )
        else:
            division = await DivisionRepository(reader).get(data.division_code)
            problems += place_problems(
                data.division_code,
                None if division is None else to_domain(division),
                township_code=station["township_code"],
            )
            office = None
            if data.office_id is not None:
                office = await OfficeRepository(reader).get(data.office_id)
            problems += office_problems(
                data.office_id,
                None if office is None else office["station_id"],
                station_id=data.station_id,
            )
        if problems or station is None:
            raise rule_violation(problems)
        values = data.model_dump(
            mode="json", exclude={"window", "location", "station_id", "office_id"}
        )
        record = ResourceRequestRecord(
            id=uuid.uuid4(),
            station_id=data.station_id,
            office_id=data.office_id,
            district_code=station["district_code"],
            starts_at=data.window.starts_at,
            ends_at=data.window.ends_at,
            status=RequestStatus.OPEN.value,
            committed_quantity=0,
            fulfilled_quantity=0,
            version=1,
            created_at=now,
            updated_at=now,
            **values,
            **location_columns(data.location.model_dump() if data.location else None),
        )
        add_request(session, record)
        await session.flush()
        return Created(
            body=resource_request_read(record.model_dump()),
            location=_location("", record.id),
            version=record.version,
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def get_request(
    services: Services, *, caller: Caller, request_id: uuid.UUID
) -> View[ResourceRequestRead]:
    """One request by id; a bound client sees its station's, or those offered to its
    organisation."""
    async with services.database.read() as reader:
        row = await ResourceRequestRepository(reader).get(request_id)
        if row is None or not await sees_request(
            reader, caller, request_id=request_id, station_id=row["station_id"]
        ):
            raise NotFound(f"no resource request with id {request_id}")
    return resource_request_view(row)


async def list_requests(
    services: Services, *, caller: Caller, where: RequestFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of requests in window order (a bound client: its station's, or those offered to its
    organisation), as the values ResourceRequestRead shows."""
    where = dataclasses.replace(
        where, visible_to=caller.station_id, visible_to_organisation=caller.organisation_id
    )
    async with services.database.read() as reader:
        rows = await ResourceRequestRepository(reader).list(where, key=after, limit=limit + 1)
    return KeysetPage.of(
        [resource_request_view(row).values for row in rows],
        limit=limit,
        key=lambda request: encode_key(request["window"]["starts_at"].isoformat(), request["id"]),
    )


def _changed(record: ResourceRequestRecord, changes: ResourceRequestUpdate) -> dict[str, Any]:
    """The fields the update sends with a value other than the stored one."""
    current = resource_request_read(record.model_dump())
    changed: dict[str, Any] = {}
    for name in changes.model_fields_set:
        sent, stored = getattr(changes, name), getattr(current, name)
        if name == "window":
            if (sent.starts_at, sent.ends_at) != (stored.starts_at, stored.ends_at):
                changed[name] = sent
        elif name == "location":
            if (None if sent is None else sent.model_dump()) != (
                None if stored is None else stored.model_dump()
            ):
                changed[name] = sent
        elif sent != stored:
            changed[name] = sent
    return changed


def _columns(changed: dict[str, Any]) -> dict[str, Any]:
    """Changed API fields as the table's columns: the window and the location unfold."""
    columns: dict[str, Any] = {}
    for name, value in changed.items():
        if name == "window":
            columns |= {"starts_at": value.starts_at, "ends_at": value.ends_at}
        elif name == "location":
            columns |= location_columns(None if value is None else value.model_dump())
        elif isinstance(value, list):
            columns[name] = [item.value for item in value]
        else:
            columns[name] = value.value if isinstance(value, StrEnum) else value
    return columns


async def update_request(
    services: Services,
    *,
    caller: Caller,
    request_id: uuid.UUID,
    expected_version: frozenset[int] | None,
    changes: ResourceRequestUpdate,
) -> ResourceRequestRead:
    """Change an open or partially committed request under optimistic concurrency: never below
    what is committed, the window only while nothing holds a provider for it."""
    async with unit_of_work(services.database) as session:
        record = await request_for_update(session, request_id)
        if record is None:
            raise NotFound(f"no resource request with id {request_id}")
        await check_station_side(
            SqlAlchemyReader(session), caller, request_id=request_id, station_id=record.station_id
        )
        check_version("resource request", current=record.version, expected=expected_version)
        changed = _changed(record, changes)
        if not changed:
            return resource_request_read(record.model_dump())
        status = RequestStatus(record.status)
        check_editable(status)
        if "quantity" in changed:
            check_quantity(changed["quantity"], committed=record.committed_quantity)
        offers = {status: 0 for status in LIVE_OFFER}
        if "window" in changed or "quantity" in changed:
            offers = await live_offers(session, record.id)
        problems: list[FieldProblem] = []
        if "window" in changed:
            check_window_change(
                committed=record.committed_quantity, live_offers=sum(offers.values())
            )
            problems += request_problems(
                category=ServiceCategory(record.category),
                unit=QuantityUnit(record.unit),
                window=_window(changed["window"]),
                now=services.clock(),
            )
        if "location" in changed:
            problems += location_problems(_point(changed["location"]))
        if problems:
            raise rule_violation(problems)
        columns = _columns(changed)
        if "quantity" in changed:
            implied = commitment_status(
                status,
                requested=changed["quantity"],
                accepted=record.committed_quantity,
                completed=record.fulfilled_quantity,
                live_accepted=offers[OfferStatus.ACCEPTED],
            )
            columns["status"] = move_request(status, implied).value
        apply_changes(record, columns, now=services.clock())
        await lapse_proposals(
            session, record.id, RequestStatus(record.status), now=services.clock()
        )
        await session.flush()
        return resource_request_read(record.model_dump())


async def _move(
    services: Services,
    *,
    caller: Caller,
    request_id: uuid.UUID,
    wanted: RequestStatus,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Move a request to a final status, releasing the offers it no longer needs."""

    async def move(session: AsyncSession) -> Created:
        record = await request_for_update(session, request_id)
        if record is None:
            raise NotFound(f"no resource request with id {request_id}")
        await check_station_side(
            SqlAlchemyReader(session), caller, request_id=request_id, station_id=record.station_id
        )
        current = RequestStatus(record.status)
        target = move_request(current, wanted)
        if target is not current:
            now = services.clock()
            _, released = await withdraw_live_offers(
                session,
                record.id,
                now=now,
                reason=lapse_reason(target) or LapseReason.REQUEST_CLOSED,
            )
            committed = max(0, record.committed_quantity - released)
            apply_changes(
                record, {"status": target.value, "committed_quantity": committed}, now=now
            )
            await session.flush()
        return Created(
            body=resource_request_read(record.model_dump()),
            location=_location("", record.id),
            version=record.version,
            status_code=200,
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=move)


async def cancel_request(
    services: Services,
    *,
    caller: Caller,
    request_id: uuid.UUID,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Cancel a request that is not fulfilled; its proposed and accepted offers are withdrawn."""
    return await _move(
        services,
        caller=caller,
        request_id=request_id,
        wanted=RequestStatus.CANCELLED,
        key=key,
        ttl=ttl,
    )


async def close_request(
    services: Services,
    *,
    caller: Caller,
    request_id: uuid.UUID,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Close a fulfilled request; an offer still live on it is withdrawn."""
    return await _move(
        services,
        caller=caller,
        request_id=request_id,
        wanted=RequestStatus.CLOSED,
        key=key,
        ttl=ttl,
    )


async def expire_overdue(services: Services) -> int:
    """Expire the open requests whose window has ended (and their proposed offers) and the
    proposed offers past their `expires_at`: one transaction; how many requests and offers."""
    now = services.clock()
    async with unit_of_work(services.database) as session:
        requests = await expire_open_requests(session, now=now)
        offers = await expire_proposed_offers(session, now=now)
    return requests + offers
