"""Use cases of the university registry (高校, R15)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row, SqlAlchemyReader
from service.db.repositories.keyset import encode_key
from service.db.repositories.universities import UniversityRepository, university_for_update
from service.db.tables import UniversityRecord
from service.domain.access import (
    Caller,
    PersonKind,
    Steward,
    check_may_change_partner,
    outside_binding,
)
from service.domain.errors import Conflict, FieldProblem, NotFound, rule_violation
from service.domain.identity import uscc_problem
from service.domain.people import UniversityFilter
from service.schemas.encoding import View
from service.schemas.universities import (
    UniversityCreate,
    UniversityRead,
    UniversityUpdate,
    university_read,
    university_view,
)
from service.usecases.common import KeysetPage, Services, apply_changes, check_version, unit_of_work
from service.usecases.disclosure import disclosure
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once
from service.usecases.partners import location_columns, sealed_phone, service_area_check


def _columns(services: Services, values: dict[str, Any]) -> dict[str, Any]:
    """API field values as the table's columns: the location and the phone unfold."""
    columns = dict(values)
    if "location" in columns:
        columns |= location_columns(columns.pop("location"))
    if "contact_phone" in columns:
        columns |= sealed_phone(services.vault, columns.pop("contact_phone"), field="contact_phone")
    return columns


async def _shown(
    reader: Reader, services: Services, caller: Caller, rows: list[Row]
) -> list[View[UniversityRead]]:
    """Rows as the caller may see them: the contact's name in clear only when it may read it."""
    kind = PersonKind.UNIVERSITY_CONTACT
    shown = await disclosure(
        reader, caller, [(kind, row["id"]) for row in rows], now=services.clock()
    )
    return [university_view(row, reveal_contact=shown.reveals(kind, row["id"])) for row in rows]


async def create_university(
    services: Services,
    *,
    caller: Caller,
    data: UniversityCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Register a university: a valid USCC, a real service area, no second record."""

    if caller.organisation_id is not None:
        raise outside_binding(caller, "other partners' records")

    async def create(session: AsyncSession) -> Created:
        reader = SqlAlchemyReader(session)
        problems = await service_area_check(reader, data.service_area)
        if (problem := uscc_problem(data.uscc)) is not None:
            problems.insert(0, FieldProblem("uscc", problem, code="invalid_uscc"))
        if problems:
            raise rule_violation(problems)
        existing = await UniversityRepository(reader).id_for_uscc(data.uscc)
        if existing is not None:
            raise Conflict(
                f"a university with USCC {data.uscc} is registered already",
                code="university_exists",
                extra={"existing_university_id": str(existing)},
            )
        now = services.clock()
        steward = caller.steward()
        record = UniversityRecord(
            id=uuid.uuid4(),
            steward_station_id=steward.station_id,
            version=1,
            created_at=now,
            updated_at=now,
            **_columns(services, data.model_dump(mode="json")),
        )
        session.add(record)
        await session.flush()
        return Created(
            body=(await _shown(reader, services, caller, [record.model_dump()]))[0].validated(),
            location=f"/v1/universities/{record.id}",
            version=record.version,
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def get_university(
    services: Services, *, caller: Caller, university_id: uuid.UUID
) -> View[UniversityRead]:
    """One university by id."""
    async with services.database.read() as reader:
        row = await UniversityRepository(reader).get(university_id)
        if row is None:
            raise NotFound(f"no university with id {university_id}")
        return (await _shown(reader, services, caller, [row]))[0]


async def list_universities(
    services: Services, *, caller: Caller, where: UniversityFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of universities in name order, as the values UniversityRead shows."""
    async with services.database.read() as reader:
        rows = await UniversityRepository(reader).list(where, key=after, limit=limit + 1)
        items = [view.values for view in await _shown(reader, services, caller, rows)]
    return KeysetPage.of(
        items,
        limit=limit,
        key=lambda university: encode_key(university["name"], university["id"]),
    )


async def update_university(
    services: Services,
    *,
    caller: Caller,
    university_id: uuid.UUID,
    expected_version: frozenset[int] | None,
    changes: UniversityUpdate,
) -> UniversityRead:
    """Apply a partial update under optimistic concurrency; re-check the service area."""
    async with unit_of_work(services.database) as session:
        record = await university_for_update(session, university_id)
        if record is None:
            raise NotFound(f"no university with id {university_id}")
        check_may_change_partner(
            caller,
            Steward(record.steward_station_id, record.steward_organisation_id),
            f"university {university_id}",
        )
        check_version("university", current=record.version, expected=expected_version)
        sent = changes.model_dump(mode="json", include=changes.model_fields_set)
        reader = SqlAlchemyReader(session)
        current = university_read(record.model_dump(), reveal_contact=True).model_dump(mode="json")
        if all(current.get(name) == value for name, value in sent.items()):
            return (await _shown(reader, services, caller, [record.model_dump()]))[0].validated()
        if "service_area" in sent:
            problems = await service_area_check(reader, sent["service_area"])
            if problems:
                raise rule_violation(problems)
        apply_changes(record, _columns(services, sent), now=services.clock())
        await session.flush()
        return (await _shown(reader, services, caller, [record.model_dump()]))[0].validated()
