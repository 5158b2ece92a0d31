"""Use cases of the social worker registry (社会工作者): encrypted identifiers, audited contact."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row, SqlAlchemyReader
from service.db.repositories.keyset import encode_key
from service.db.repositories.organisations import OrganisationRepository
from service.db.repositories.social_workers import (
    SocialWorkerRepository,
    social_worker_for_update,
    social_worker_in,
)
from service.db.repositories.stations import OfficeRepository, StationRepository
from service.db.tables import SocialWorkerRecord
from service.domain.access import (
    Caller,
    PersonKind,
    Steward,
    check_may_change_partner,
    check_may_search_names,
    outside_binding,
)
from service.domain.errors import Conflict, FieldProblem, NotFound, rule_violation
from service.domain.hangzhou_time import local_date
from service.domain.identity import mask_personal_phone, mask_resident_id, resident_id_problem
from service.domain.partners import CertificateLevel
from service.domain.people import (
    PlaceOfService,
    SocialWorkerFilter,
    certificate_problems,
    place_of_service,
)
from service.pii import PiiVault
from service.schemas.encoding import View
from service.schemas.social_workers import (
    SocialWorkerContact,
    SocialWorkerCreate,
    SocialWorkerMatches,
    SocialWorkerRead,
    SocialWorkerUpdate,
    social_worker_read,
    social_worker_view,
)
from service.usecases.audit import record_disclosure, record_search
from service.usecases.common import KeysetPage, Services, apply_changes, check_version, unit_of_work
from service.usecases.disclosure import disclosure, may_read_person, readable_condition
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once
from service.usecases.partners import sealed_phone, service_area_check
from service.usecases.volunteers import (
    availability_rule_problems,
    sorted_exceptions,
    sorted_weekly,
)

SUBJECT_TYPE = "social_worker"
KIND = PersonKind.SOCIAL_WORKER
_REFERENCES = ("station_id", "office_id", "employer_organisation_id")


def _id_number_columns(vault: PiiVault, id_number: str) -> dict[str, Any]:
    """An ID number as stored: ciphertext, blind index and the masked copy; never in clear."""
    return {
        "id_number_ciphertext": vault.encrypt(id_number, field="id_number"),
        "id_number_index": vault.blind_index(id_number, field="id_number"),
        "id_number_masked": mask_resident_id(id_number),
    }


def _columns(services: Services, values: dict[str, Any]) -> dict[str, Any]:
    """API field values as the table's columns: identifiers sealed, references as UUIDs."""
    columns = dict(values)
    if "availability" in columns:
        availability = columns.pop("availability")
        columns["weekly_availability"] = (
            None if availability is None else sorted_weekly(availability["weekly"])
        )
        columns["availability_exceptions"] = (
            None if availability is None else sorted_exceptions(availability["exceptions"])
        )
    if "id_number" in columns:
        columns |= _id_number_columns(services.vault, columns.pop("id_number"))
    if "phone" in columns:
        columns |= sealed_phone(
            services.vault, columns.pop("phone"), field="phone", mask=mask_personal_phone
        )
    for reference in _REFERENCES:
        if isinstance(columns.get(reference), str):
            columns[reference] = uuid.UUID(columns[reference])
    return columns


def _id_number_problems(services: Services, id_number: str) -> list[FieldProblem]:
    problem = resident_id_problem(id_number, today=local_date(services.clock()))
    return [] if problem is None else [FieldProblem("id_number", problem, code="invalid_id_number")]


async def _references_check(
    reader: Reader,
    *,
    station_id: uuid.UUID | None,
    office_id: uuid.UUID | None,
    employer_organisation_id: uuid.UUID | None,
    station_named: bool,
) -> tuple[PlaceOfService, list[FieldProblem]]:
    """The station, office and employer exist; the place of service they make, and its problems."""
    problems: list[FieldProblem] = []
    station_of_office: uuid.UUID | None = None
    if station_id is not None and await StationRepository(reader).get(station_id) is None:
        problems.append(
            FieldProblem("station_id", f"no station with id {station_id}", code="unknown_station")
        )
    if office_id is not None:
        office = await OfficeRepository(reader).get(office_id)
        if office is None:
            problems.append(
                FieldProblem("office_id", f"no office with id {office_id}", code="unknown_office")
            )
        else:
            station_of_office = office["station_id"]
    if (
        employer_organisation_id is not None
        and await OrganisationRepository(reader).get(employer_organisation_id) is None
    ):
        problems.append(
            FieldProblem(
                "employer_organisation_id",
                f"no organisation with id {employer_organisation_id}",
                code="unknown_organisation",
            )
        )
    if problems:
        return PlaceOfService(station_id=station_id, office_id=office_id), problems
    return place_of_service(
        station_id=station_id,
        office_id=office_id,
        station_of_office=station_of_office,
        station_named=station_named,
    )


def _check_binding(
    caller: Caller, place: PlaceOfService, employer_organisation_id: uuid.UUID | None
) -> None:
    """A station-bound client places social workers only at its own station; an organisation-
    bound one registers only its own employees."""
    if caller.is_station_bound and place.station_id != caller.station_id:
        raise outside_binding(caller, "social workers serving another station")
    if caller.organisation_id is not None and employer_organisation_id != caller.organisation_id:
        raise outside_binding(caller, "social workers another organisation employs")


def _check_may_change(caller: Caller, record: SocialWorkerRecord) -> None:
    """The bureau's clients, the station the worker serves, or the record's steward."""
    if caller.is_station_bound and record.station_id == caller.station_id:
        return
    steward = Steward(record.steward_station_id, record.steward_organisation_id)
    check_may_change_partner(caller, steward, f"social worker {record.id}")


async def _shown(
    reader: Reader, services: Services, caller: Caller, rows: list[Row]
) -> list[View[SocialWorkerRead]]:
    """Rows as the caller may see them: names in clear only for persons it may read."""
    shown = await disclosure(
        reader, caller, [(KIND, row["id"]) for row in rows], now=services.clock()
    )
    return [social_worker_view(row, reveal=shown.reveals(KIND, row["id"])) for row in rows]


async def create_social_worker(
    services: Services,
    *,
    caller: Caller,
    data: SocialWorkerCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Register a social worker: a real ID number, a consistent place of service, no second one."""

    async def create(session: AsyncSession) -> Created:
        reader = SqlAlchemyReader(session)
        problems = _id_number_problems(services, data.id_number)
        problems += certificate_problems(data.certificate_level, data.certificate_number)
        problems += await service_area_check(reader, data.service_area)
        if data.availability is not None:
            problems += availability_rule_problems(data.availability.model_dump(mode="json"))
        place, reference_problems = await _references_check(
            reader,
            station_id=data.station_id,
            office_id=data.office_id,
            employer_organisation_id=data.employer_organisation_id,
            station_named=data.station_id is not None,
        )
        if problems := problems + reference_problems:
            raise rule_violation(problems)
        _check_binding(caller, place, data.employer_organisation_id)
        index = services.vault.blind_index(data.id_number, field="id_number")
        existing = await SocialWorkerRepository(reader).id_for_id_number(index)
        if existing is not None:
            raise await _duplicate(reader, services, caller, existing)
        now = services.clock()
        steward = caller.steward()
        values = data.model_dump(mode="json") | {
            "station_id": place.station_id,
            "office_id": place.office_id,
        }
        record = SocialWorkerRecord(
            id=uuid.uuid4(),
            version=1,
            created_at=now,
            updated_at=now,
            steward_station_id=steward.station_id,
            steward_organisation_id=steward.organisation_id,
            **_columns(services, values),
        )
        session.add(record)
        await session.flush()
        row = record.model_dump()
        return Created(
            body=(await _shown(reader, services, caller, [row]))[0].validated(),
            location=f"/v1/social-workers/{record.id}",
            version=record.version,
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def _duplicate(
    reader: Reader, services: Services, caller: Caller, existing: uuid.UUID
) -> Conflict:
    """409 for an ID number registered already; the existing record is named only to a caller
    who may read that person (the conflict alone must not tell whose number it is)."""
    named = await may_read_person(reader, caller, KIND, existing, now=services.clock())
    return Conflict(
        "a social worker with this ID number is registered already",
        code="social_worker_exists",
        extra={"existing_social_worker_id": str(existing)} if named else None,
    )


async def get_social_worker(
    services: Services, *, caller: Caller, social_worker_id: uuid.UUID
) -> View[SocialWorkerRead]:
    """One social worker by id, identifiers masked."""
    async with services.database.read() as reader:
        row = await SocialWorkerRepository(reader).get(social_worker_id)
        if row is None:
            raise NotFound(f"no social worker with id {social_worker_id}")
        return (await _shown(reader, services, caller, [row]))[0]


async def list_social_workers(
    services: Services,
    *,
    caller: Caller,
    where: SocialWorkerFilter,
    after: str | None,
    limit: int,
) -> KeysetPage[dict[str, Any]]:
    """A page of social workers in registration order, as the values SocialWorkerRead shows;
    a search by name (`q`) needs `pii:read` and finds only the persons the caller may read."""
    readable = None
    if where.name_contains is not None:
        check_may_search_names(caller)
        readable = readable_condition(caller, KIND, now=services.clock())
    async with services.database.read() as reader:
        rows = await SocialWorkerRepository(reader).list(
            where, key=after, limit=limit + 1, readable=readable
        )
        items = [view.values for view in await _shown(reader, services, caller, rows)]
    return KeysetPage.of(
        items,
        limit=limit,
        key=lambda worker: encode_key(worker["created_at"].isoformat(), worker["id"]),
    )


async def find_social_workers_by_id_number(
    services: Services, *, caller: Caller, id_number: str, purpose: str, request_id: str
) -> SocialWorkerMatches:
    """Exact lookup through the blind index, for a declared purpose: nothing is decrypted, only
    persons the caller may read are found, and every search, hit or miss, is audited."""
    if problems := _id_number_problems(services, id_number):
        raise rule_violation(problems)
    index = services.vault.blind_index(id_number, field="id_number")
    async with unit_of_work(services.database) as session:
        reader = SqlAlchemyReader(session)
        rows = await SocialWorkerRepository(reader).with_id_number(index)
        shown = await disclosure(
            reader, caller, [(KIND, row["id"]) for row in rows], now=services.clock()
        )
        record_search(
            session,
            services,
            caller=caller,
            subject_type=SUBJECT_TYPE,
            subject_id=rows[0]["id"] if rows else None,
            purpose=purpose,
            request_id=request_id,
        )
    return SocialWorkerMatches(
        items=[
            social_worker_read(row, reveal=True) for row in rows if shown.reveals(KIND, row["id"])
        ]
    )


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


async def update_social_worker(
    services: Services,
    *,
    caller: Caller,
    social_worker_id: uuid.UUID,
    expected_version: frozenset[int] | None,
    changes: SocialWorkerUpdate,
) -> SocialWorkerRead:
    """Apply a partial update under optimistic concurrency; re-check every rule it touches."""
    async with unit_of_work(services.database) as session:
        record = await social_worker_for_update(session, social_worker_id)
        if record is None:
            raise NotFound(f"no social worker with id {social_worker_id}")
        _check_may_change(caller, record)
        check_version("social worker", current=record.version, expected=expected_version)
        sent = changes.model_dump(mode="json", include=changes.model_fields_set)
        reader = SqlAlchemyReader(session)
        current = social_worker_read(record.model_dump(), reveal=True).model_dump(mode="json")
        if all(current.get(name) == value for name, value in sent.items()):
            return (await _shown(reader, services, caller, [record.model_dump()]))[0].validated()
        merged = current | sent
        problems = certificate_problems(
            CertificateLevel(merged["certificate_level"]), merged["certificate_number"]
        )
        if "service_area" in sent:
            problems += await service_area_check(reader, sent["service_area"])
        if sent.get("availability") is not None:
            problems += availability_rule_problems(sent["availability"])
        if sent.keys() & set(_REFERENCES):
            place, reference_problems = await _references_check(
                reader,
                station_id=_uuid_or_none(merged["station_id"]),
                office_id=_uuid_or_none(merged["office_id"]),
                employer_organisation_id=_uuid_or_none(merged["employer_organisation_id"]),
                station_named="station_id" in sent,
            )
            problems += reference_problems
            sent |= {"station_id": place.station_id, "office_id": place.office_id}
        if problems:
            raise rule_violation(problems)
        if sent.keys() & set(_REFERENCES):
            _check_binding(
                caller,
                PlaceOfService(sent["station_id"], sent["office_id"]),
                _uuid_or_none(merged["employer_organisation_id"]),
            )
        columns = _columns(services, sent)
        if columns.get("id_number_index") not in (None, record.id_number_index):
            existing = await SocialWorkerRepository(reader).id_for_id_number(
                columns["id_number_index"]
            )
            if existing is not None:
                raise await _duplicate(reader, services, caller, existing)
        apply_changes(record, columns, now=services.clock())
        await session.flush()
        return (await _shown(reader, services, caller, [record.model_dump()]))[0].validated()


async def disclose_contact(
    services: Services,
    *,
    caller: Caller,
    social_worker_id: uuid.UUID,
    purpose: str,
    request_id: str,
) -> SocialWorkerContact:
    """The unmasked name, ID number and phone, answered only once the audit event is committed."""
    async with unit_of_work(services.database) as session:
        record = await social_worker_in(session, social_worker_id)
        if record is None or not await may_read_person(
            SqlAlchemyReader(session), caller, KIND, record.id, now=services.clock()
        ):
            raise NotFound(f"no social worker with id {social_worker_id}")
        phone = record.phone_ciphertext
        contact = SocialWorkerContact(
            id=record.id,
            name=record.name,
            id_number=services.vault.decrypt(record.id_number_ciphertext, field="id_number"),
            phone=None if phone is None else services.vault.decrypt(phone, field="phone"),
        )
        record_disclosure(
            session,
            services,
            caller=caller,
            subject_type=SUBJECT_TYPE,
            subject_id=record.id,
            fields=["name", "id_number", *(["phone"] if contact.phone is not None else [])],
            purpose=purpose,
            request_id=request_id,
        )
    return contact
