"""Use cases of the volunteer registry (社区志愿者): personal data sealed, found by blind index."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row, SqlAlchemyReader
from service.db.repositories.keyset import encode_key
from service.db.repositories.volunteers import VolunteerRepository, volunteer_for_update
from service.db.tables import VolunteerRecord
from service.domain.access import (
    Caller,
    PersonKind,
    Steward,
    check_may_change_partner,
    check_may_search_names,
)
from service.domain.errors import Conflict, FieldProblem, NotFound, rule_violation
from service.domain.geo import Point
from service.domain.hangzhou_time import local_date
from service.domain.identity import mask_personal_phone, mask_resident_id, resident_id_problem
from service.domain.partners import (
    DateException,
    PartnerStatus,
    WeeklyWindow,
    availability_problems,
    availability_required,
)
from service.domain.resources import VolunteerFilter, approximate_home, home_problems
from service.pii import PiiVault
from service.schemas.encoding import View
from service.schemas.volunteers import (
    VolunteerContact,
    VolunteerCreate,
    VolunteerRead,
    VolunteerUpdate,
    volunteer_read,
    volunteer_view,
)
from service.usecases.audit import record_disclosure, record_search
from service.usecases.common import KeysetPage, Services, apply_changes, check_version, unit_of_work
from service.usecases.disclosure import disclosure, may_read_person, readable_condition
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once
from service.usecases.partners import sealed_phone, service_area_check

SUBJECT_TYPE = "volunteer"
KIND = PersonKind.VOLUNTEER
ID_NUMBER = "id_number"
_SEALED_ID_COLUMNS = ("id_number_ciphertext", "id_number_index", "id_number_masked")


def sealed_id_number(vault: PiiVault, id_number: str | None) -> dict[str, Any]:
    """An ID number as stored: ciphertext, blind index for exact lookups, masked copy."""
    if id_number is None:
        return dict.fromkeys(_SEALED_ID_COLUMNS)
    return {
        "id_number_ciphertext": vault.encrypt(id_number, field=ID_NUMBER),
        "id_number_index": vault.blind_index(id_number, field=ID_NUMBER),
        "id_number_masked": mask_resident_id(id_number),
    }


def _columns(services: Services, values: dict[str, Any]) -> dict[str, Any]:
    """API field values as the table's columns: home rounded, availability sorted, PII sealed."""
    columns = dict(values)
    if "home_location" in columns:
        home = columns.pop("home_location")
        point = approximate_home(Point(home["lat"], home["lon"])) if home else None
        columns["home_lat"] = point.lat if point else None
        columns["home_lon"] = point.lon if point else None
    if "availability" in columns:
        availability = columns.pop("availability")
        columns["weekly_availability"] = sorted_weekly(availability["weekly"])
        columns["availability_exceptions"] = sorted_exceptions(availability["exceptions"])
    if "phone" in columns:
        columns |= sealed_phone(
            services.vault, columns.pop("phone"), field="phone", mask=mask_personal_phone
        )
    if ID_NUMBER in columns:
        columns |= sealed_id_number(services.vault, columns.pop(ID_NUMBER))
    return columns


def sorted_weekly(weekly: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Weekly slots as stored: by weekday, then start."""
    return sorted(weekly, key=lambda window: (window["weekday"], window["start"]))


def sorted_exceptions(exceptions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Date exceptions as stored: by date."""
    return sorted(exceptions, key=lambda exception: exception["date"])


def availability_rule_problems(availability: dict[str, Any]) -> list[FieldProblem]:
    """What the domain says of sent availability (JSON form): slots that overlap, dates twice."""
    windows = [
        WeeklyWindow(w["weekday"], time.fromisoformat(w["start"]), time.fromisoformat(w["end"]))
        for w in availability["weekly"]
    ]
    exceptions = [
        DateException(date.fromisoformat(e["date"]), e["available"])
        for e in availability["exceptions"]
    ]
    return availability_problems(windows, exceptions, field="availability")


def _rule_problems(values: dict[str, Any], *, today: date) -> list[FieldProblem]:
    """What the domain says about the sent values (JSON form) that the schema cannot."""
    problems: list[FieldProblem] = []
    if values.get(ID_NUMBER) is not None:
        why = resident_id_problem(values[ID_NUMBER], today=today)
        if why is not None:
            problems.append(FieldProblem(ID_NUMBER, why, code="invalid_resident_id"))
    if values.get("home_location") is not None:
        home = values["home_location"]
        problems += home_problems(Point(home["lat"], home["lon"]))
    if "availability" in values:
        problems += availability_rule_problems(values["availability"])
    return problems


def _availability_required(
    availability: dict[str, Any], status: str, *, sent: dict[str, Any]
) -> list[FieldProblem]:
    """The volunteer as they will stand (the sent values over the stored ones) can be matched:
    checked only when availability or status was sent, so a change to anything else is never
    refused for a record registered before the rule."""
    if "availability" not in sent and "status" not in sent:
        return []
    windows = [
        WeeklyWindow(w["weekday"], time.fromisoformat(w["start"]), time.fromisoformat(w["end"]))
        for w in availability.get("weekly", [])
    ]
    exceptions = [
        DateException(date.fromisoformat(e["date"]), e["available"])
        for e in availability.get("exceptions", [])
    ]
    return availability_required(
        windows, exceptions, active=status == PartnerStatus.ACTIVE.value, field="availability"
    )


async def _check(
    reader: Reader, values: dict[str, Any], *, today: date, also: list[FieldProblem]
) -> None:
    """Raise a rule violation naming every field the rules refuse."""
    problems = _rule_problems(values, today=today) + also
    if "service_area" in values:
        problems += await service_area_check(reader, values["service_area"])
    if problems:
        raise rule_violation(problems)


async def _duplicate(
    reader: Reader, services: Services, caller: Caller, existing: uuid.UUID
) -> Conflict:
    """409 for an ID number registered already; the existing record is named only to a caller
    who may read that person (the conflict alone must not tell whose number it is)."""
    named = await may_read_person(reader, caller, KIND, existing, now=services.clock())
    return Conflict(
        "a volunteer with this ID number is registered already",
        code="volunteer_exists",
        extra={"existing_volunteer_id": str(existing)} if named else None,
    )


async def shown_volunteers(
    reader: Reader, services: Services, caller: Caller, rows: Sequence[Row]
) -> list[View[VolunteerRead]]:
    """Rows as the caller may see them: names in clear only for persons it may read."""
    shown = await disclosure(
        reader, caller, [(KIND, row["id"]) for row in rows], now=services.clock()
    )
    return [volunteer_view(row, reveal=shown.reveals(KIND, row["id"])) for row in rows]


async def create_volunteer(
    services: Services,
    *,
    caller: Caller,
    data: VolunteerCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Register a volunteer: a valid ID number if any (once only), a real area, sound hours."""

    async def create(session: AsyncSession) -> Created:
        reader = SqlAlchemyReader(session)
        values = data.model_dump(mode="json")
        await _check(
            reader,
            values,
            today=local_date(services.clock()),
            also=_availability_required(values["availability"], values["status"], sent=values),
        )
        columns = _columns(services, values)
        if columns["id_number_index"] is not None:
            existing = await VolunteerRepository(reader).by_id_number_index(
                columns["id_number_index"]
            )
            if existing is not None:
                raise await _duplicate(reader, services, caller, existing["id"])
        now = services.clock()
        steward = caller.steward()
        record = VolunteerRecord(
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
            body=(await shown_volunteers(reader, services, caller, [record.model_dump()]))[
                0
            ].validated(),
            location=f"/v1/volunteers/{record.id}",
            version=record.version,
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def get_volunteer(
    services: Services, *, caller: Caller, volunteer_id: uuid.UUID
) -> View[VolunteerRead]:
    """One volunteer by id, masked."""
    async with services.database.read() as reader:
        row = await VolunteerRepository(reader).get(volunteer_id)
        if row is None:
            raise NotFound(f"no volunteer with id {volunteer_id}")
        return (await shown_volunteers(reader, services, caller, [row]))[0]


async def list_volunteers(
    services: Services, *, caller: Caller, where: VolunteerFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of volunteers in registration order, masked, as the values VolunteerRead shows;
    a search by name (`q`) needs `pii:read` and finds only the persons the caller may read."""
    readable = None
    if where.name_contains is not None:
        check_may_search_names(caller)
        readable = readable_condition(caller, KIND, now=services.clock())
    async with services.database.read() as reader:
        rows = await VolunteerRepository(reader).list(
            where, key=after, limit=limit + 1, readable=readable
        )
        items = [view.values for view in await shown_volunteers(reader, services, caller, rows)]
    return KeysetPage.of(
        items,
        limit=limit,
        key=lambda volunteer: encode_key(volunteer["created_at"].isoformat(), volunteer["id"]),
    )


async def find_by_id_number(
    services: Services, *, caller: Caller, id_number: str, purpose: str, request_id: str
) -> list[VolunteerRead]:
    """The volunteer registered under an ID number (exact match on the blind index), for a
    declared purpose: found only when the caller may read the person; every search, hit or
    miss, is audited."""
    why = resident_id_problem(id_number, today=local_date(services.clock()))
    if why is not None:
        raise rule_violation([FieldProblem(ID_NUMBER, why, code="invalid_resident_id")])
    index = services.vault.blind_index(id_number, field=ID_NUMBER)
    async with unit_of_work(services.database) as session:
        reader = SqlAlchemyReader(session)
        row = await VolunteerRepository(reader).by_id_number_index(index)
        found = row is not None and await may_read_person(
            reader, caller, KIND, row["id"], now=services.clock()
        )
        record_search(
            session,
            services,
            caller=caller,
            subject_type=SUBJECT_TYPE,
            subject_id=None if row is None else row["id"],
            purpose=purpose,
            request_id=request_id,
        )
    return [volunteer_read(row, reveal=True)] if found and row is not None else []


def _changed_columns(
    services: Services, record: VolunteerRecord, sent: dict[str, Any]
) -> dict[str, Any]:
    """The columns the sent values change; sealed values are compared by plaintext or index."""
    columns = _columns(services, sent)
    if "phone" in sent and sent["phone"] == services.vault.decrypt(
        record.phone_ciphertext, field="phone"
    ):
        del columns["phone_ciphertext"], columns["phone_masked"]
    if ID_NUMBER in sent and columns["id_number_index"] == record.id_number_index:
        for column in _SEALED_ID_COLUMNS:
            del columns[column]
    return {column: value for column, value in columns.items() if getattr(record, column) != value}


async def update_volunteer(
    services: Services,
    *,
    caller: Caller,
    volunteer_id: uuid.UUID,
    expected_version: frozenset[int] | None,
    changes: VolunteerUpdate,
) -> VolunteerRead:
    """Apply a partial update under optimistic concurrency; re-check what was sent."""
    async with unit_of_work(services.database) as session:
        record = await volunteer_for_update(session, volunteer_id)
        if record is None:
            raise NotFound(f"no volunteer with id {volunteer_id}")
        steward = Steward(record.steward_station_id, record.steward_organisation_id)
        check_may_change_partner(caller, steward, f"volunteer {volunteer_id}")
        check_version("volunteer", current=record.version, expected=expected_version)
        sent = changes.model_dump(mode="json", include=changes.model_fields_set)
        reader = SqlAlchemyReader(session)
        stored = {
            "weekly": record.weekly_availability,
            "exceptions": record.availability_exceptions,
        }
        availability = sent.get("availability", stored)
        status = sent.get("status", record.status)
        await _check(
            reader,
            sent,
            today=local_date(services.clock()),
            also=_availability_required(availability, status, sent=sent),
        )
        changed = _changed_columns(services, record, sent)
        if changed.get("id_number_index") is not None:
            existing = await VolunteerRepository(reader).by_id_number_index(
                changed["id_number_index"]
            )
            if existing is not None:
                raise await _duplicate(reader, services, caller, existing["id"])
        if changed:
            apply_changes(record, changed, now=services.clock())
            await session.flush()
        return (await shown_volunteers(reader, services, caller, [record.model_dump()]))[
            0
        ].validated()


async def volunteer_contact(
    services: Services,
    *,
    caller: Caller,
    volunteer_id: uuid.UUID,
    purpose: str,
    request_id: str,
) -> VolunteerContact:
    """Disclose a volunteer's unmasked contact details; the audit event commits first."""
    async with unit_of_work(services.database) as session:
        record = await session.get(VolunteerRecord, volunteer_id)
        if record is None or not await may_read_person(
            SqlAlchemyReader(session), caller, KIND, record.id, now=services.clock()
        ):
            raise NotFound(f"no volunteer with id {volunteer_id}")
        id_number = (
            None
            if record.id_number_ciphertext is None
            else services.vault.decrypt(record.id_number_ciphertext, field=ID_NUMBER)
        )
        contact = VolunteerContact(
            id=record.id,
            name=record.name,
            phone=services.vault.decrypt(record.phone_ciphertext, field="phone"),
            id_number=id_number,
        )
        record_disclosure(
            session,
            services,
            caller=caller,
            subject_type=SUBJECT_TYPE,
            subject_id=record.id,
            fields=["name", "phone", *([ID_NUMBER] if id_number is not None else [])],
            purpose=purpose,
            request_id=request_id,
        )
    return contact
