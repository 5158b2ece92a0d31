"""Use cases of supervision sessions (R10): record, correct (a new version), read the archive.

A station-bound client records its own station's sessions; an organisation-bound client those
it supervised itself (as the agency under the station's supervision linkage). Each sees only
those: another's session is a 404. Nothing is ever deleted: a correction writes the next
version and keeps every earlier one readable; `withdrawn` marks a session recorded in error.
Each change of state happens in `_write_version`, in the caller's unit of work.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row, SqlAlchemyReader
from service.db.repositories.keyset import encode_key
from service.db.repositories.stations import StationRepository
from service.db.repositories.supervision import (
    SessionRepository,
    session_for_update,
    unknown_social_workers,
)
from service.db.tables import SupervisionSessionRecord, SupervisionSessionVersionRecord
from service.domain.access import Caller, PersonKind, outside_binding
from service.domain.errors import FieldProblem, NotFound, rule_violation
from service.domain.supervision import (
    SessionFilter,
    SupervisionForm,
    SupervisorType,
    hangzhou_today,
    session_problems,
    supervisor_problems,
)
from service.schemas.encoding import View
from service.schemas.supervision import (
    SupervisionSessionCorrection,
    SupervisionSessionCreate,
    SupervisionSessionRead,
    SupervisionSessionVersionRead,
    SupervisorRef,
    session_view,
    version_view,
)
from service.usecases.common import KeysetPage, Services, check_version, unit_of_work
from service.usecases.disclosure import disclosure
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once

_CONTENT = (
    "station_id",
    "supervisor_type",
    "supervisor_id",
    "linkage_id",
    "held_on",
    "duration_minutes",
    "form",
    "topics",
    "attendees",
    "summary",
    "status",
    "correction_note",
    "recorded_by_client_id",
)


def _check_may_record(caller: Caller, station_id: uuid.UUID, supervisor: SupervisorRef) -> None:
    """A station records its own sessions; an agency those it supervised itself."""
    if caller.station_id is not None and caller.station_id != station_id:
        raise outside_binding(caller, f"supervision sessions of station {station_id}")
    if caller.organisation_id is not None and (
        supervisor.type is not SupervisorType.ORGANISATION
        or supervisor.id != caller.organisation_id
    ):
        raise outside_binding(caller, "supervision sessions another party supervised")


def _seen_by(caller: Caller, row: Row) -> bool:
    """The bureau's clients see every session; a station its own; an agency those it gave."""
    if caller.station_id is not None:
        return bool(row["station_id"] == caller.station_id)
    if caller.organisation_id is not None:
        return bool(
            row["supervisor_type"] == SupervisorType.ORGANISATION.value
            and row["supervisor_id"] == caller.organisation_id
        )
    return True


async def _checked(
    reader: Reader,
    services: Services,
    *,
    station_id: uuid.UUID,
    supervisor: SupervisorRef,
    held_on: Any,
    form: SupervisionForm,
    attendees: list[uuid.UUID],
) -> uuid.UUID | None:
    """Every rule a session is held to; the supervision linkage it was given under."""
    facts, linkage_id = await SessionRepository(reader).supervisor(
        supervisor.type, supervisor.id, station_id=station_id, held_on=held_on
    )
    problems = supervisor_problems(facts, held_on=held_on)
    problems += session_problems(
        form=form,
        held_on=held_on,
        attendees=attendees,
        unknown_attendees=await unknown_social_workers(reader, attendees),
        supervisor_id=supervisor.id,
        today=hangzhou_today(services.clock()),
    )
    if problems:
        raise rule_violation(problems)
    return linkage_id


def _write_version(session: AsyncSession, record: SupervisionSessionRecord, now: datetime) -> None:
    """Archive the session's current state as its version (the one place a state is written)."""
    values = {column: getattr(record, column) for column in _CONTENT}
    session.add(
        SupervisionSessionVersionRecord(
            session_id=record.id, version=record.version, recorded_at=now, **values
        )
    )


async def _shown(
    reader: Reader, services: Services, caller: Caller, rows: list[Row], *, versions: bool = False
) -> list[View[Any]]:
    """Rows with their supervisors' names: a social worker's masked unless the caller may read
    the person."""
    parties = {(SupervisorType(row["supervisor_type"]), row["supervisor_id"]) for row in rows}
    names = await SessionRepository(reader).names(parties)
    workers = [
        (PersonKind.SOCIAL_WORKER, party_id)
        for kind, party_id in parties
        if kind is SupervisorType.SOCIAL_WORKER
    ]
    shown = await disclosure(reader, caller, workers, now=services.clock())
    view = version_view if versions else session_view
    result: list[View[Any]] = []
    for row in rows:
        kind, party_id = SupervisorType(row["supervisor_type"]), row["supervisor_id"]
        name = names.get((kind, party_id))
        if kind is SupervisorType.SOCIAL_WORKER and name is not None:
            name = shown.name(PersonKind.SOCIAL_WORKER, party_id, name)
        result.append(view(row, supervisor_name=name))
    return result


async def record_session(
    services: Services,
    *,
    caller: Caller,
    data: SupervisionSessionCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Record a session held at a station: version 1 of its archive."""

    async def create(session: AsyncSession) -> Created:
        _check_may_record(caller, data.station_id, data.supervisor)
        reader = SqlAlchemyReader(session)
        if await StationRepository(reader).get(data.station_id) is None:
            raise rule_violation(
                [
                    FieldProblem(
                        "station_id",
                        f"no station with id {data.station_id}",
                        code="unknown_station",
                    )
                ]
            )
        linkage_id = await _checked(
            reader,
            services,
            station_id=data.station_id,
            supervisor=data.supervisor,
            held_on=data.held_on,
            form=data.form,
            attendees=data.attendees,
        )
        now = services.clock()
        record = SupervisionSessionRecord(
            id=uuid.uuid4(),
            station_id=data.station_id,
            supervisor_type=data.supervisor.type.value,
            supervisor_id=data.supervisor.id,
            linkage_id=linkage_id,
            held_on=data.held_on,
            duration_minutes=data.duration_minutes,
            form=data.form.value,
            topics=list(data.topics),
            attendees=[str(attendee) for attendee in data.attendees],
            summary=data.summary,
            recorded_by_client_id=caller.client_id,
            version=1,
            created_at=now,
            updated_at=now,
        )
        session.add(record)
        await session.flush()
        _write_version(session, record, now)
        await session.flush()
        return Created(
            body=(await _shown(reader, services, caller, [record.model_dump()]))[0].validated(),
            location=f"/v1/supervision-sessions/{record.id}",
            version=record.version,
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def correct_session(
    services: Services,
    *,
    caller: Caller,
    session_id: uuid.UUID,
    expected_version: frozenset[int] | None,
    correction: SupervisionSessionCorrection,
) -> SupervisionSessionRead:
    """Write the session's next version; the one corrected stays readable in the archive."""
    async with unit_of_work(services.database) as session:
        record = await session_for_update(session, session_id)
        if record is None or not _seen_by(caller, record.model_dump()):
            raise NotFound(f"no supervision session with id {session_id}")
        check_version("supervision session", current=record.version, expected=expected_version)
        sent = correction.model_fields_set - {"correction_note"}
        supervisor = (
            correction.supervisor
            if "supervisor" in sent
            else SupervisorRef(type=SupervisorType(record.supervisor_type), id=record.supervisor_id)
        )
        _check_may_record(caller, record.station_id, supervisor)
        held_on = correction.held_on if "held_on" in sent else record.held_on
        form = correction.form if "form" in sent else SupervisionForm(record.form)
        attendees = (
            correction.attendees
            if "attendees" in sent
            else [uuid.UUID(attendee) for attendee in record.attendees]
        )
        reader = SqlAlchemyReader(session)
        record.linkage_id = await _checked(
            reader,
            services,
            station_id=record.station_id,
            supervisor=supervisor,
            held_on=held_on,
            form=form,
            attendees=attendees,
        )
        record.supervisor_type, record.supervisor_id = supervisor.type.value, supervisor.id
        record.held_on, record.form = held_on, form.value
        record.attendees = [str(attendee) for attendee in attendees]
        for name in ("duration_minutes", "summary"):
            if name in sent:
                setattr(record, name, getattr(correction, name))
        if "topics" in sent:
            record.topics = list(correction.topics)
        if "status" in sent:
            record.status = correction.status.value
        now = services.clock()
        record.correction_note = correction.correction_note
        record.recorded_by_client_id = caller.client_id
        record.version += 1
        record.updated_at = now
        await session.flush()
        _write_version(session, record, now)
        await session.flush()
        shown: SupervisionSessionRead = (
            await _shown(reader, services, caller, [record.model_dump()])
        )[0].validated()
        return shown


async def get_session(
    services: Services, *, caller: Caller, session_id: uuid.UUID
) -> View[SupervisionSessionRead]:
    """One session as it stands."""
    async with services.database.read() as reader:
        row = await SessionRepository(reader).get(session_id)
        if row is None or not _seen_by(caller, row):
            raise NotFound(f"no supervision session with id {session_id}")
        shown: View[SupervisionSessionRead] = (await _shown(reader, services, caller, [row]))[0]
        return shown


async def list_sessions(
    services: Services, *, caller: Caller, where: SessionFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of the sessions the caller may see, by the day held, as the values
    SupervisionSessionRead shows."""
    where = dataclasses.replace(
        where, visible_to_station=caller.station_id, visible_to_organisation=caller.organisation_id
    )
    async with services.database.read() as reader:
        rows = await SessionRepository(reader).list(where, key=after, limit=limit + 1)
        items = [view.values for view in await _shown(reader, services, caller, rows)]
    return KeysetPage.of(
        items, limit=limit, key=lambda item: encode_key(item["held_on"].isoformat(), item["id"])
    )


async def list_versions(
    services: Services, *, caller: Caller, session_id: uuid.UUID, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of a session's archived versions, oldest first, as the values
    SupervisionSessionVersionRead shows."""
    async with services.database.read() as reader:
        repository = SessionRepository(reader)
        current = await repository.get(session_id)
        if current is None or not _seen_by(caller, current):
            raise NotFound(f"no supervision session with id {session_id}")
        rows = await repository.versions(session_id, key=after, limit=limit + 1)
        shown = await _shown(reader, services, caller, rows, versions=True)
    items = [view.values for view in shown]
    return KeysetPage.of(items, limit=limit, key=lambda item: str(item["version"]))


async def get_version(
    services: Services, *, caller: Caller, session_id: uuid.UUID, version: int
) -> View[SupervisionSessionVersionRead]:
    """One archived version of a session, exactly as recorded."""
    async with services.database.read() as reader:
        repository = SessionRepository(reader)
        current = await repository.get(session_id)
        if current is None or not _seen_by(caller, current):
            raise NotFound(f"no supervision session with id {session_id}")
        row = await repository.version(session_id, version)
        if row is None:
            raise NotFound(f"supervision session {session_id} has no version {version}")
        shown: View[SupervisionSessionVersionRead] = (
            await _shown(reader, services, caller, [row], versions=True)
        )[0]
        return shown
