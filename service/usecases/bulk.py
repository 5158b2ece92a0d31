"""Bulk upsert from another system's register, keyed by that system's own `external_id`.

Fast by construction: validation is per line in memory; every lookup (external ids, divisions,
existing records, USCCs) is one query per chunk; creates are `INSERT … VALUES` of a whole chunk
in one savepoint. Only a chunk whose insert fails is retried line by line (one savepoint per
line), so a bad line never aborts or half-writes another.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.errors import violated_constraint
from service.db.outbox import stage
from service.db.reader import SqlAlchemyReader
from service.db.repositories.divisions import DivisionRepository
from service.db.tables import BulkJobRecord, ExternalIdRecord, OrganisationRecord, table
from service.domain.access import Caller, Steward, outside_binding
from service.domain.bulk import Line
from service.domain.errors import DomainError, NotFound, RuleViolation
from service.domain.events import Event
from service.domain.identity import uscc_problem
from service.domain.partners import service_area_problems
from service.schemas.bulk import BulkJobRead, BulkResource, LineOutcome
from service.schemas.partners import OrganisationCreate
from service.schemas.stations import OfficeCreate, StationCreate
from service.usecases import offices, stations  # the rules of their POST and PATCH
from service.usecases.common import Services, unit_of_work
from service.usecases.organisations import _columns as organisation_columns

CHUNK = 500
organisation = table(OrganisationRecord)
external = table(ExternalIdRecord)
job_table = table(BulkJobRecord)

# Columns a line may set (the rest are ours: id, version, stamps, steward).
_COMPARED = (
    "name",
    "kind",
    "is_charity",
    "is_social_work_agency",
    "service_categories",
    "skills",
    "service_area",
    "lat",
    "lon",
    "capacity_amount",
    "capacity_unit",
    "contact_name",
    "contact_phone_masked",
    "status",
)


@dataclass(slots=True)
class _Entry:
    number: int
    external_id: str | None
    outcome: LineOutcome = LineOutcome.rejected
    id: uuid.UUID | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    data: Any = None  # the line as the single endpoint's body (OrganisationCreate, StationCreate)
    columns: dict[str, Any] | None = None

    def reject(self, detail: str, *, code: str, field_name: str | None = None) -> None:
        self.outcome = LineOutcome.rejected
        self.problems.append({"field": field_name, "code": code, "detail": detail})

    def report(self) -> dict[str, Any]:
        return {
            "line": self.number,
            "external_id": self.external_id,
            "outcome": self.outcome.value,
            "id": str(self.id) if self.id else None,
            "problems": self.problems,
        }


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_MODELS: dict[BulkResource, type[Any]] = {
    BulkResource.organisations: OrganisationCreate,
    BulkResource.stations: StationCreate,
    BulkResource.offices: OfficeCreate,
}


def _validated(line: Line, resource: BulkResource) -> _Entry:
    """A line read against the single endpoint's body (plus `external_id`), in memory."""
    values = dict(line.values or {})
    raw_id = values.pop("external_id", None)
    usable = isinstance(raw_id, str) and raw_id.isprintable() and 0 < len(raw_id.strip()) <= 128
    entry = _Entry(line.number, raw_id if usable else None)
    for problem in line.problems:
        entry.reject(problem.detail, code=problem.code, field_name=problem.field)
    if line.values is None:
        return entry
    if entry.external_id is None:
        entry.reject(
            "external_id: 1 to 128 printable characters",
            code="bulk_external_id_missing",
            field_name="external_id",
        )
        return entry
    model = _MODELS[resource]
    try:
        entry.data = model.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            where = ".".join(str(part) for part in error["loc"]) or None
            entry.reject(error["msg"], code="invalid_field", field_name=where)
        return entry
    if model is OrganisationCreate and (wrong := uscc_problem(entry.data.uscc)) is not None:
        entry.reject(wrong, code="invalid_uscc", field_name="uscc")
    return entry


async def _lookup(session: AsyncSession, query: Any, values: Sequence[Any]) -> list[Any]:
    rows: list[Any] = []
    for chunk in _chunks(values):
        rows += (await session.execute(query(list(chunk)))).all()
    return rows


async def get_job(services: Services, *, caller: Caller, job_id: uuid.UUID) -> BulkJobRead:
    """One of the caller's bulk jobs (another client's is not found: ids are per client)."""
    async with services.database.read() as reader:
        row = await reader.fetch_one(
            select(job_table).where(
                job_table.c.id == job_id, job_table.c.client_id == caller.client_id
            )
        )
    if row is None:
        raise NotFound(f"no bulk job with id {job_id}")
    return BulkJobRead.model_validate(row)


async def upsert(
    services: Services,
    *,
    caller: Caller,
    resource: BulkResource,
    lines: list[Line],
    key: str | None,
    fingerprint: str,
) -> tuple[BulkJobRead, bool]:
    """Upsert every line; the job and whether it is a replay of the same Idempotency-Key."""
    if key is not None:
        async with services.database.read() as reader:
            row = await reader.fetch_one(
                select(job_table).where(
                    job_table.c.client_id == caller.client_id, job_table.c.idempotency_key == key
                )
            )
        if row is not None:
            if row["fingerprint"] != fingerprint:
                raise RuleViolation(
                    "this Idempotency-Key was used with another body", code="idempotency_key_reused"
                )
            return BulkJobRead.model_validate(row), True
    if caller.organisation_id is not None:
        raise outside_binding(caller, "the registry's records")

    entries = [_validated(line, resource) for line in lines]
    now = services.clock()
    async with unit_of_work(services.database) as session:
        await _one_load_at_a_time(session, caller, resource)
        if resource is not BulkResource.organisations:
            await upsert_registry(services, session, caller, resource, entries, now=now)
        else:
            await _upsert_organisations(services, session, caller, entries, now=now)
        counts = {outcome: 0 for outcome in LineOutcome}
        for entry in entries:
            counts[entry.outcome] += 1
        job = BulkJobRecord(
            client_id=caller.client_id,
            idempotency_key=key,
            fingerprint=fingerprint,
            resource=resource.value,
            status="succeeded",
            lines=len(entries),
            created=counts[LineOutcome.created],
            updated=counts[LineOutcome.updated],
            unchanged=counts[LineOutcome.unchanged],
            rejected=counts[LineOutcome.rejected],
            report=[entry.report() for entry in entries],
            created_at=now,
        )
        session.add(job)
        await session.flush()
        return BulkJobRead.model_validate(job.model_dump()), False


async def _one_load_at_a_time(
    session: AsyncSession, caller: Caller, resource: BulkResource
) -> None:
    """Loads of one client into one resource take turns, so that two loads of the same
    external id make one record (the second finds the first's and reports `unchanged`).

    PostgreSQL: a transaction-scoped advisory lock on (client, resource). SQLite: every write
    transaction begins IMMEDIATE (service/db/engine.py), so loads take turns already.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"bulk/{caller.client_id}/{resource.value}".encode()).digest()
    await session.execute(
        select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], "big", signed=True)))
    )


async def _upsert_organisations(
    services: Services, session: AsyncSession, caller: Caller, entries: list[_Entry], *, now: Any
) -> None:
    good = [e for e in entries if not e.problems and e.data is not None]
    seen: set[str] = set()
    for entry in good:
        if entry.external_id in seen:
            entry.reject(
                "this external_id is on an earlier line",
                code="bulk_duplicate_external_id",
                field_name="external_id",
            )
        seen.add(entry.external_id or "")
    good = [e for e in good if not e.problems]

    # One query per chunk for each lookup.
    codes = sorted({code for e in good for code in e.data.service_area})
    known = await DivisionRepository(SqlAlchemyReader(session)).existing(codes) if codes else set()
    mapped = dict(
        await _lookup(
            session,
            lambda ids: select(external.c.external_id, external.c.record_id).where(
                external.c.client_id == caller.client_id,
                external.c.resource == "organisations",
                external.c.external_id.in_(ids),
            ),
            [e.external_id for e in good],
        )
    )
    rows = {
        row["id"]: dict(row)
        for row in (
            await _lookup(
                session,
                lambda ids: select(organisation).where(organisation.c.id.in_(ids)),
                sorted(set(mapped.values())),
            )
        )
        for row in [row._mapping]
    }
    usccs = dict(
        await _lookup(
            session,
            lambda values: select(organisation.c.uscc, organisation.c.id).where(
                organisation.c.uscc.in_(values)
            ),
            sorted({e.data.uscc for e in good if e.external_id not in mapped}),
        )
    )

    creates: list[_Entry] = []
    updates: list[_Entry] = []
    versions: dict[uuid.UUID, tuple[int, Steward]] = {}  # of updated records: the next, steward
    claimed: set[str] = set()
    steward = caller.steward()
    for entry in good:
        data = entry.data
        if data is None or entry.external_id is None:  # validated lines have both
            continue
        for problem in service_area_problems(data.service_area, known):
            entry.reject(problem.message, code=problem.code, field_name=problem.field)
        if entry.problems:
            continue
        columns = organisation_columns(services, data.model_dump(mode="json"))
        record_id = mapped.get(entry.external_id)
        current = rows.get(record_id) if record_id is not None else None
        if current is None:
            if data.uscc in usccs or data.uscc in claimed:
                holder = f" ({usccs[data.uscc]})" if data.uscc in usccs else " (an earlier line)"
                entry.reject(
                    f"an organisation with USCC {data.uscc} is registered already{holder}",
                    code="organisation_exists",
                    field_name="uscc",
                )
                continue
            claimed.add(data.uscc)
            entry.id, entry.columns = uuid.uuid4(), columns
            creates.append(entry)
            continue
        entry.id = current["id"]
        owner = Steward(current["steward_station_id"], current["steward_organisation_id"])
        if not caller.may_change_partner(owner, organisation_id=current["id"]):
            entry.reject("this client may not change this record", code="outside_station_binding")
            continue
        if data.uscc != current["uscc"]:
            entry.reject(
                "the USCC of a registered organisation does not change",
                code="uscc_immutable",
                field_name="uscc",
            )
            continue
        if _unchanged(services, current, columns):
            entry.outcome = LineOutcome.unchanged
            continue
        entry.columns = columns
        updates.append(entry)
        versions[current["id"]] = (
            current["version"] + 1,
            Steward(current["steward_station_id"], current["steward_organisation_id"]),
        )

    for chunk in _chunks(creates):
        rows_in = [
            {
                **(e.columns or {}),
                "id": e.id,
                "uscc": e.data.uscc if e.data else None,
                "registration_category": e.data.uscc[:2] if e.data else None,
                "steward_station_id": steward.station_id,
                "steward_organisation_id": steward.organisation_id,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for e in chunk
        ]
        maps = [
            {
                "client_id": caller.client_id,
                "resource": "organisations",
                "external_id": e.external_id,
                "record_id": e.id,
                "created_at": now,
            }
            for e in chunk
        ]
        try:
            async with session.begin_nested():
                await session.execute(insert(organisation), _normalised(rows_in))
                await session.execute(insert(external), maps)
            for e in chunk:
                e.outcome = LineOutcome.created
            _tell(session, chunk, "created", now=now, steward=steward)
        except IntegrityError:  # one line of the chunk is at fault: find it, keep the others
            for e, row, mapping in zip(chunk, rows_in, maps, strict=True):
                try:
                    async with session.begin_nested():
                        await session.execute(insert(organisation), _normalised([row]))
                        await session.execute(insert(external), [mapping])
                    e.outcome = LineOutcome.created
                    _tell(session, [e], "created", now=now, steward=steward)
                except IntegrityError as exc:
                    e.id = None
                    e.reject(_broken(exc), code="constraint_violated")

    for chunk in _chunks(updates):
        try:
            async with session.begin_nested():
                await _update_rows(session, chunk, now=now)
            for e in chunk:
                e.outcome = LineOutcome.updated
            _tell(session, chunk, "updated", now=now, versions=versions)
        except IntegrityError:
            for e in chunk:
                try:
                    async with session.begin_nested():
                        await _update_rows(session, [e], now=now)
                    e.outcome = LineOutcome.updated
                    _tell(session, [e], "updated", now=now, versions=versions)
                except IntegrityError as exc:
                    e.reject(_broken(exc), code="constraint_violated")


async def _update_rows(session: AsyncSession, entries: Sequence[_Entry], *, now: Any) -> None:
    """One executemany per set of columns: every line's new values, the next version."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for entry in entries:
        columns = entry.columns or {}
        groups.setdefault(tuple(sorted(columns)), []).append({**columns, "_id": entry.id})
    for names, rows in groups.items():
        statement = (
            update(organisation)
            .where(organisation.c.id == bindparam("_id"))
            .values(
                {
                    **{name: bindparam(name) for name in names},
                    "version": organisation.c.version + 1,
                    "updated_at": now,
                }
            )
        )
        await session.execute(statement, rows)


async def upsert_registry(
    services: Services,
    session: AsyncSession,
    caller: Caller,
    resource: BulkResource,
    entries: list[_Entry],
    *,
    now: Any,
) -> None:
    """Stations or offices line by line, each in its own savepoint, through the single
    endpoints' rules (a city has 200 townships and a few thousand communities: no batching)."""
    good = [e for e in entries if not e.problems and e.data is not None]
    seen: set[str] = set()
    for entry in good:
        if entry.external_id in seen:
            entry.reject(
                "this external_id is on an earlier line",
                code="bulk_duplicate_external_id",
                field_name="external_id",
            )
        seen.add(entry.external_id or "")
    good = [e for e in good if not e.problems]
    station = resource is BulkResource.stations
    mapped = dict(
        await _lookup(
            session,
            lambda ids: select(external.c.external_id, external.c.record_id).where(
                external.c.client_id == caller.client_id,
                external.c.resource == resource.value,
                external.c.external_id.in_(ids),
            ),
            [e.external_id for e in good],
        )
    )
    for entry in good:
        try:
            async with session.begin_nested():
                record_id = mapped.get(entry.external_id or "")
                if record_id is None:
                    add = stations.insert_station if station else offices.insert_office
                    entry.id = (await add(session, services, caller, entry.data)).id
                    await session.execute(
                        insert(external),
                        [
                            {
                                "client_id": caller.client_id,
                                "resource": resource.value,
                                "external_id": entry.external_id,
                                "record_id": entry.id,
                                "created_at": now,
                            }
                        ],
                    )
                    entry.outcome = LineOutcome.created
                else:
                    entry.id = record_id
                    change = stations.change_station if station else offices.change_office
                    changed = await change(session, services, caller, record_id, entry.data)
                    entry.outcome = LineOutcome.updated if changed else LineOutcome.unchanged
        except DomainError as exc:
            entry.id = None
            for problem in exc.errors or (None,):
                if problem is None:
                    entry.reject(exc.detail, code=exc.code)
                else:
                    entry.reject(problem.message, code=problem.code, field_name=problem.field)
        except IntegrityError as exc:
            entry.id = None
            entry.reject(_broken(exc), code="constraint_violated")


def _tell(
    session: AsyncSession,
    entries: Sequence[_Entry],
    verb: str,
    *,
    now: Any,
    steward: Steward | None = None,
    versions: dict[uuid.UUID, tuple[int, Steward]] | None = None,
) -> None:
    """The outbox events of organisations written with Core statements (the unit of work does
    not see those): `organisation.created` or `.updated`, in this transaction."""
    events = []
    for entry in entries:
        if entry.id is None:
            continue
        version, owner = (1, steward) if versions is None else versions[entry.id]
        status = (entry.columns or {}).get("status") or "active"
        events.append(
            Event(
                id=uuid.uuid4(),
                type=f"organisation.{verb}",
                occurred_at=now,
                subject_type="organisation",
                subject_id=entry.id,
                version=version,
                station_id=owner.station_id if owner else None,
                organisation_id=entry.id,
                data={"status": status} if verb == "created" else {},
            )
        )
    stage(session, *events)


def _broken(exc: IntegrityError) -> str:
    """What a line broke, by the constraint's name only (the database's message may quote the
    row, personal data included)."""
    return f"the line breaks a data constraint ({violated_constraint(exc) or 'unknown'})"


def _normalised(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of one executemany share their keys: absent optional columns are NULL."""
    keys = {key for row in rows for key in row}
    return [{key: row.get(key) for key in keys} for row in rows]


def _unchanged(services: Services, current: dict[str, Any], columns: dict[str, Any]) -> bool:
    for name in _COMPARED:
        if name in columns and columns[name] != current.get(name):
            return False
    sealed = current.get("contact_phone_ciphertext")
    wanted = columns.get("contact_phone_ciphertext")
    if (sealed is None) != (wanted is None):
        return False
    if sealed is not None and wanted is not None:
        mine = services.vault.decrypt(sealed, field="contact_phone")
        return mine == services.vault.decrypt(wanted, field="contact_phone")
    return True
