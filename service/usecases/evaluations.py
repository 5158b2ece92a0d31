"""Use cases of the bureau's evaluations and satisfaction surveys (R17).

Evaluating stations is the bureau's: only unbound clients record or change them. A station-bound
client reads its own station's; an organisation-bound one reads none (another's is a 404).
Each change of state happens in one use case's unit of work.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Row, SqlAlchemyReader
from service.db.repositories.evaluations import EvaluationRepository, evaluation_for_update
from service.db.repositories.keyset import encode_key
from service.db.repositories.stations import StationRepository
from service.db.tables import EvaluationRecord, SatisfactionSurveyRecord
from service.domain.access import Caller, check_unbound
from service.domain.errors import FieldProblem, NotFound, rule_violation
from service.domain.evaluations import (
    EvaluationFilter,
    outcome_problems,
    overall_score,
    period_problems,
)
from service.domain.supervision import hangzhou_today
from service.domain.vocabulary import StationStatus
from service.schemas.encoding import View
from service.schemas.evaluations import (
    GRADE_COLUMNS,
    EvaluationCreate,
    EvaluationRead,
    EvaluationUpdate,
    SatisfactionCounts,
    SurveyCreate,
    SurveyRead,
    evaluation_read,
    survey_read,
    survey_view,
)
from service.usecases.common import (
    KeysetPage,
    Services,
    apply_changes,
    check_version,
    unit_of_work,
)
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once


def _seen_by(caller: Caller, row: Row) -> bool:
    """The bureau's clients see all; a station its own; an organisation none."""
    if caller.organisation_id is not None:
        return False
    return caller.station_id is None or row["station_id"] == caller.station_id


def _counts(satisfaction: SatisfactionCounts | None) -> dict[str, int | None]:
    if satisfaction is None:
        return dict.fromkeys(GRADE_COLUMNS)
    return satisfaction.model_dump()


async def _station_status(session: AsyncSession, station_id: uuid.UUID) -> StationStatus:
    station = await StationRepository(SqlAlchemyReader(session)).get(station_id)
    if station is None:
        raise rule_violation(
            [FieldProblem("station_id", f"no station with id {station_id}", code="unknown_station")]
        )
    return StationStatus(station["status"])


async def record_evaluation(
    services: Services,
    *,
    caller: Caller,
    data: EvaluationCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Record the bureau's evaluation of a station over a period."""
    check_unbound(caller, "evaluations: they are the bureau's")

    async def create(session: AsyncSession) -> Created:
        status = await _station_status(session, data.station_id)
        today = hangzhou_today(services.clock())
        problems = period_problems(data.period_from, data.period_to, today=today)
        problems += outcome_problems(data.outcome, status)
        if problems:
            raise rule_violation(problems)
        now = services.clock()
        record = EvaluationRecord(
            id=uuid.uuid4(),
            station_id=data.station_id,
            period_from=data.period_from,
            period_to=data.period_to,
            evaluator=data.evaluator,
            scores={dimension.value: score for dimension, score in data.scores.items()},
            overall_score=overall_score(data.scores),
            outcome=data.outcome.value,
            note=data.note,
            recorded_by_client_id=caller.client_id,
            version=1,
            created_at=now,
            updated_at=now,
            **_counts(data.satisfaction),
        )
        session.add(record)
        await session.flush()
        return Created(
            body=evaluation_read(record.model_dump()),
            location=f"/v1/evaluations/{record.id}",
            version=record.version,
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def update_evaluation(
    services: Services,
    *,
    caller: Caller,
    evaluation_id: uuid.UUID,
    expected_version: frozenset[int] | None,
    changes: EvaluationUpdate,
) -> EvaluationRead:
    """Change an evaluation under optimistic concurrency (the bureau's only)."""
    async with unit_of_work(services.database) as session:
        record = await evaluation_for_update(session, evaluation_id)
        if record is None or not _seen_by(caller, record.model_dump()):
            raise NotFound(f"no evaluation with id {evaluation_id}")
        check_unbound(caller, f"evaluation {evaluation_id}")
        check_version("evaluation", current=record.version, expected=expected_version)
        sent = changes.model_fields_set
        columns: dict[str, Any] = {
            name: getattr(changes, name) for name in ("evaluator", "note") if name in sent
        }
        if "scores" in sent:
            columns["scores"] = {d.value: score for d, score in changes.scores.items()}
            columns["overall_score"] = overall_score(changes.scores)
        if "satisfaction" in sent:
            columns |= _counts(changes.satisfaction)
        if "outcome" in sent:
            status = await _station_status(session, record.station_id)
            if problems := outcome_problems(changes.outcome, status):
                raise rule_violation(problems)
            columns["outcome"] = changes.outcome.value
        apply_changes(record, columns, now=services.clock())
        await session.flush()
        return evaluation_read(record.model_dump())


async def get_evaluation(
    services: Services, *, caller: Caller, evaluation_id: uuid.UUID
) -> EvaluationRead:
    """One evaluation the caller may see."""
    async with services.database.read() as reader:
        row = await EvaluationRepository(reader).evaluation(evaluation_id)
    if row is None or not _seen_by(caller, row):
        raise NotFound(f"no evaluation with id {evaluation_id}")
    return evaluation_read(row)


def _narrowed(caller: Caller, where: EvaluationFilter) -> EvaluationFilter | None:
    """The filter as the caller's binding narrows it; None: it sees nothing."""
    if caller.organisation_id is not None:
        return None
    return dataclasses.replace(where, visible_to_station=caller.station_id)


async def list_evaluations(
    services: Services, *, caller: Caller, where: EvaluationFilter, after: str | None, limit: int
) -> KeysetPage[EvaluationRead]:
    """A page of the evaluations the caller may see, by period."""
    narrowed = _narrowed(caller, where)
    rows: list[Row] = []
    if narrowed is not None:
        async with services.database.read() as reader:
            rows = await EvaluationRepository(reader).evaluations(
                narrowed, key=after, limit=limit + 1
            )
    return KeysetPage.of(
        [evaluation_read(row) for row in rows],
        limit=limit,
        key=lambda item: encode_key(item.period_from.isoformat(), item.id),
    )


async def record_survey(
    services: Services,
    *,
    caller: Caller,
    data: SurveyCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Record a satisfaction survey's counts per grade (the bureau's)."""
    check_unbound(caller, "satisfaction surveys: they are the bureau's")

    async def create(session: AsyncSession) -> Created:
        await _station_status(session, data.station_id)
        today = hangzhou_today(services.clock())
        if problems := period_problems(data.period_from, data.period_to, today=today):
            raise rule_violation(problems)
        record = SatisfactionSurveyRecord(
            id=uuid.uuid4(),
            station_id=data.station_id,
            period_from=data.period_from,
            period_to=data.period_to,
            method=data.method.value,
            note=data.note,
            recorded_by_client_id=caller.client_id,
            created_at=services.clock(),
            **{grade: getattr(data, grade) for grade in GRADE_COLUMNS},
        )
        session.add(record)
        await session.flush()
        return Created(
            body=survey_read(record.model_dump()), location=f"/v1/satisfaction-surveys/{record.id}"
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def get_survey(
    services: Services, *, caller: Caller, survey_id: uuid.UUID
) -> View[SurveyRead]:
    """One survey the caller may see."""
    async with services.database.read() as reader:
        row = await EvaluationRepository(reader).survey(survey_id)
    if row is None or not _seen_by(caller, row):
        raise NotFound(f"no satisfaction survey with id {survey_id}")
    return survey_view(row)


async def list_surveys(
    services: Services, *, caller: Caller, where: EvaluationFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of the surveys the caller may see, by period, as the values SurveyRead shows."""
    narrowed = _narrowed(caller, where)
    rows: list[Row] = []
    if narrowed is not None:
        async with services.database.read() as reader:
            rows = await EvaluationRepository(reader).surveys(narrowed, key=after, limit=limit + 1)
    return KeysetPage.of(
        [survey_view(row).values for row in rows],
        limit=limit,
        key=lambda item: encode_key(item["period_from"].isoformat(), item["id"]),
    )
