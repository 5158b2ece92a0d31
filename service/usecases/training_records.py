"""Use cases of training records (R11): a course posted with its attendees, corrections, reads.

A station-bound client records training for the social workers of its station; an
organisation-bound one records the training it gave (the provider is itself), for any worker,
and reads that and its own employees' records. A record is never deleted: `voided` takes one
made in error out of R11. Each change of state happens in one use case's unit of work.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row, SqlAlchemyReader
from service.db.repositories.keyset import encode_key
from service.db.repositories.supervision import TrainingRepository, training_for_update
from service.db.tables import TrainingRecordRecord
from service.domain.access import Caller, outside_binding
from service.domain.errors import FieldProblem, NotFound, rule_violation
from service.domain.supervision import (
    SupervisorType,
    TrainingFilter,
    TrainingProviderType,
    completion_problems,
    hangzhou_today,
)
from service.schemas.encoding import View
from service.schemas.supervision import (
    TrainingBatch,
    TrainingCourseCreate,
    TrainingProviderRef,
    TrainingRecordRead,
    TrainingRecordUpdate,
    training_read,
    training_view,
)
from service.usecases.common import (
    KeysetPage,
    Services,
    apply_changes,
    check_version,
    unit_of_work,
)
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once


def _check_provider(caller: Caller, provider: TrainingProviderRef | None) -> None:
    """An organisation records only the training it gave itself."""
    if caller.organisation_id is None:
        return
    if (
        provider is None
        or provider.type is not TrainingProviderType.ORGANISATION
        or provider.id != caller.organisation_id
    ):
        raise outside_binding(caller, "training another party gave")


def _check_station(caller: Caller, workers: Mapping[uuid.UUID, Row]) -> None:
    """A station records training only for the social workers serving it."""
    if caller.station_id is None:
        return
    for worker_id, worker in workers.items():
        if worker["station_id"] != caller.station_id:
            raise outside_binding(caller, f"training of social worker {worker_id}")


async def _provider_problems(
    repository: TrainingRepository, provider: TrainingProviderRef | None
) -> list[FieldProblem]:
    if provider is None or await repository.provider_exists(
        SupervisorType(provider.type.value), provider.id
    ):
        return []
    return [
        FieldProblem(
            "provider.id",
            f"no {provider.type.value} with id {provider.id}",
            code="unknown_provider",
        )
    ]


def _attendee_problems(data: TrainingCourseCreate, known: Mapping[uuid.UUID, Row]) -> list[Any]:
    problems, seen = [], set()
    for index, attendee in enumerate(data.attendees):
        worker_id = attendee.social_worker_id
        field = f"attendees[{index}].social_worker_id"
        if worker_id not in known:
            problems.append(
                FieldProblem(
                    field, f"no social worker with id {worker_id}", code="unknown_social_worker"
                )
            )
        elif worker_id in seen:
            problems.append(FieldProblem(field, "listed twice", code="duplicate_attendee"))
        seen.add(worker_id)
    return problems


async def record_course(
    services: Services,
    *,
    caller: Caller,
    data: TrainingCourseCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Record a completed course for each of its attendees, all or none."""

    async def create(session: AsyncSession) -> Created:
        _check_provider(caller, data.provider)
        repository = TrainingRepository(SqlAlchemyReader(session))
        workers = await repository.workers(a.social_worker_id for a in data.attendees)
        problems = completion_problems(data.completed_on, today=hangzhou_today(services.clock()))
        problems += await _provider_problems(repository, data.provider)
        problems += _attendee_problems(data, workers)
        if problems:
            raise rule_violation(problems)
        _check_station(caller, workers)
        now, batch_id = services.clock(), uuid.uuid4()
        records = [
            TrainingRecordRecord(
                id=uuid.uuid4(),
                social_worker_id=attendee.social_worker_id,
                kind=data.kind.value,
                provider_type=data.provider.type.value if data.provider else None,
                provider_id=data.provider.id if data.provider else None,
                course_title=data.course_title,
                completed_on=data.completed_on,
                hours=data.hours,
                certificate_number=attendee.certificate_number,
                batch_id=batch_id,
                recorded_by_client_id=caller.client_id,
                version=1,
                created_at=now,
                updated_at=now,
            )
            for attendee in data.attendees
        ]
        session.add_all(records)
        await session.flush()
        return Created(
            body=TrainingBatch(
                batch_id=batch_id, items=[training_read(r.model_dump()) for r in records]
            ),
            location=f"/v1/training-records?batch_id={batch_id}",
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def _seen_by(reader: Reader, caller: Caller, row: Row) -> bool:
    """The bureau's clients see every record; a station its workers'; an organisation the
    training it gave and its employees'."""
    if caller.station_id is None and caller.organisation_id is None:
        return True
    worker = (await TrainingRepository(reader).workers([row["social_worker_id"]]))[
        row["social_worker_id"]
    ]
    if caller.station_id is not None:
        return bool(worker["station_id"] == caller.station_id)
    gave = row["provider_type"] == TrainingProviderType.ORGANISATION.value and (
        row["provider_id"] == caller.organisation_id
    )
    return gave or bool(worker["employer_organisation_id"] == caller.organisation_id)


async def get_record(
    services: Services, *, caller: Caller, record_id: uuid.UUID
) -> View[TrainingRecordRead]:
    """One training record."""
    async with services.database.read() as reader:
        row = await TrainingRepository(reader).get(record_id)
        if row is None or not await _seen_by(reader, caller, row):
            raise NotFound(f"no training record with id {record_id}")
    return training_view(row)


async def list_records(
    services: Services, *, caller: Caller, where: TrainingFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of the records the caller may see, by completion day, as the values
    TrainingRecordRead shows."""
    where = dataclasses.replace(
        where, visible_to_station=caller.station_id, visible_to_organisation=caller.organisation_id
    )
    async with services.database.read() as reader:
        rows = await TrainingRepository(reader).list(where, key=after, limit=limit + 1)
    return KeysetPage.of(
        [training_view(row).values for row in rows],
        limit=limit,
        key=lambda item: encode_key(item["completed_on"].isoformat(), item["id"]),
    )


async def correct_record(
    services: Services,
    *,
    caller: Caller,
    record_id: uuid.UUID,
    expected_version: frozenset[int] | None,
    changes: TrainingRecordUpdate,
) -> TrainingRecordRead:
    """Correct (or void) one record under optimistic concurrency."""
    async with unit_of_work(services.database) as session:
        record = await training_for_update(session, record_id)
        reader = SqlAlchemyReader(session)
        if record is None or not await _seen_by(reader, caller, record.model_dump()):
            raise NotFound(f"no training record with id {record_id}")
        current = training_read(record.model_dump())
        _check_provider(caller, _provider_ref(current))
        check_version("training record", current=record.version, expected=expected_version)
        sent = changes.model_fields_set
        if "provider" in sent:
            _check_provider(caller, changes.provider)
        problems = []
        if "completed_on" in sent:
            today = hangzhou_today(services.clock())
            problems += completion_problems(changes.completed_on, today=today)
        if "provider" in sent:
            problems += await _provider_problems(TrainingRepository(reader), changes.provider)
        if problems:
            raise rule_violation(problems)
        columns = changes.model_dump(mode="json", include=sent - {"provider"})
        if "provider" in sent:
            provider = changes.provider
            columns["provider_type"] = provider.type.value if provider else None
            columns["provider_id"] = provider.id if provider else None
        if "completed_on" in sent:
            columns["completed_on"] = changes.completed_on
        apply_changes(record, columns, now=services.clock())
        await session.flush()
        return training_read(record.model_dump())


def _provider_ref(record: TrainingRecordRead) -> TrainingProviderRef | None:
    provider = record.provider
    return None if provider is None else TrainingProviderRef(type=provider.type, id=provider.id)
