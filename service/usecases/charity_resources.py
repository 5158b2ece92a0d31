"""Use cases of the charity resource registry (社会慈善资源): funds, goods, venues, projects."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, SqlAlchemyReader
from service.db.repositories.charity_resources import (
    CharityResourceRepository,
    charity_resource_for_update,
)
from service.db.repositories.keyset import encode_key
from service.db.repositories.organisations import OrganisationRepository
from service.db.tables import CharityResourceRecord
from service.domain.access import Caller, Steward, check_may_change_partner, outside_binding
from service.domain.errors import FieldProblem, NotFound, rule_violation
from service.domain.hangzhou_time import local_date
from service.domain.offerings import QuantityUnit
from service.domain.partners import CharityResourceKind, validity_problems
from service.domain.resources import CharityResourceFilter, quantity_problems, unit_problems
from service.schemas.charity_resources import (
    CharityResourceCreate,
    CharityResourceRead,
    CharityResourceUpdate,
    charity_resource_read,
    charity_resource_view,
)
from service.schemas.encoding import View
from service.usecases.common import KeysetPage, Services, apply_changes, check_version, unit_of_work
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once
from service.usecases.partners import service_area_check

_DATES = ("valid_from", "valid_until")


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """API field values (JSON form) as the table's columns: dates and ids typed."""
    columns = dict(values)
    for name in _DATES:
        if name in columns and columns[name] is not None:
            columns[name] = date.fromisoformat(columns[name])
    if "organisation_id" in columns:
        columns["organisation_id"] = uuid.UUID(columns["organisation_id"])
    return columns


def _rule_problems(state: dict[str, Any]) -> list[FieldProblem]:
    """The rules a whole resource (as columns) must satisfy: unit, quantities, validity."""
    return [
        *unit_problems(CharityResourceKind(state["kind"]), QuantityUnit(state["unit"])),
        *quantity_problems(state["total_quantity"], state["remaining_quantity"]),
        *validity_problems(state["valid_from"], state["valid_until"]),
    ]


async def _check(
    reader: Reader, state: dict[str, Any], *, sent: dict[str, Any], organisation: bool
) -> None:
    """Raise a rule violation naming every field the rules refuse."""
    problems = _rule_problems(state)
    if organisation and await OrganisationRepository(reader).get(state["organisation_id"]) is None:
        problems.insert(
            0,
            FieldProblem(
                "organisation_id",
                f"no organisation with id {state['organisation_id']}",
                code="unknown_organisation",
            ),
        )
    if "service_area" in sent:
        problems += await service_area_check(reader, sent["service_area"])
    if problems:
        raise rule_violation(problems)


async def create_charity_resource(
    services: Services,
    *,
    caller: Caller,
    data: CharityResourceCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Register a resource a registered organisation offers; what remains defaults to the total."""

    async def create(session: AsyncSession) -> Created:
        values = data.model_dump(mode="json")
        if values["remaining_quantity"] is None:
            values["remaining_quantity"] = values["total_quantity"]
        columns = _columns(values)
        if caller.organisation_id not in (None, columns["organisation_id"]):
            raise outside_binding(caller, "resources another organisation offers")
        await _check(SqlAlchemyReader(session), columns, sent=values, organisation=True)
        now = services.clock()
        steward = caller.steward()
        record = CharityResourceRecord(
            id=uuid.uuid4(),
            version=1,
            created_at=now,
            updated_at=now,
            steward_station_id=steward.station_id,
            steward_organisation_id=steward.organisation_id,
            **columns,
        )
        session.add(record)
        await session.flush()
        return Created(
            body=charity_resource_read(record.model_dump(), today=local_date(now)),
            location=f"/v1/charity-resources/{record.id}",
            version=record.version,
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def get_charity_resource(
    services: Services, *, resource_id: uuid.UUID
) -> View[CharityResourceRead]:
    """One resource by id, its availability as of today."""
    async with services.database.read() as reader:
        row = await CharityResourceRepository(reader).get(resource_id)
    if row is None:
        raise NotFound(f"no charity resource with id {resource_id}")
    return charity_resource_view(row, today=local_date(services.clock()))


async def list_charity_resources(
    services: Services, *, where: CharityResourceFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of resources in title order, as the values CharityResourceRead shows."""
    async with services.database.read() as reader:
        rows = await CharityResourceRepository(reader).list(where, key=after, limit=limit + 1)
    today = local_date(services.clock())
    return KeysetPage.of(
        [charity_resource_view(row, today=today).values for row in rows],
        limit=limit,
        key=lambda resource: encode_key(resource["title"], resource["id"]),
    )


async def update_charity_resource(
    services: Services,
    *,
    caller: Caller,
    resource_id: uuid.UUID,
    expected_version: frozenset[int] | None,
    changes: CharityResourceUpdate,
) -> CharityResourceRead:
    """Apply a partial update under optimistic concurrency; the whole resource is re-checked."""
    async with unit_of_work(services.database) as session:
        record = await charity_resource_for_update(session, resource_id)
        if record is None:
            raise NotFound(f"no charity resource with id {resource_id}")
        check_may_change_partner(
            caller,
            Steward(record.steward_station_id, record.steward_organisation_id),
            f"charity resource {resource_id}",
            organisation_id=record.organisation_id,
        )
        check_version("charity resource", current=record.version, expected=expected_version)
        sent = changes.model_dump(mode="json", include=changes.model_fields_set)
        columns = _columns(sent)
        state = record.model_dump() | columns
        await _check(SqlAlchemyReader(session), state, sent=sent, organisation=False)
        changed = {
            column: value for column, value in columns.items() if getattr(record, column) != value
        }
        if changed:
            apply_changes(record, changed, now=services.clock())
            await session.flush()
        return charity_resource_read(record.model_dump(), today=local_date(services.clock()))
