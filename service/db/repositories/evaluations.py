"""Evaluations and satisfaction surveys (R17): reads by id and by filter."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row
from service.db.repositories.keyset import after, paged
from service.db.tables import EvaluationRecord, SatisfactionSurveyRecord, StationRecord, table
from service.domain.evaluations import EvaluationFilter

evaluation = table(EvaluationRecord)
survey = table(SatisfactionSurveyRecord)
station = table(StationRecord)


class EvaluationRepository:
    """Reads of evaluations and surveys, which share their filters."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def evaluation(self, evaluation_id: uuid.UUID) -> Row | None:
        """One evaluation, or None."""
        return await self.reader.fetch_one(
            select(evaluation).where(evaluation.c.id == evaluation_id)
        )

    async def survey(self, survey_id: uuid.UUID) -> Row | None:
        """One survey, or None."""
        return await self.reader.fetch_one(select(survey).where(survey.c.id == survey_id))

    async def evaluations(
        self, where: EvaluationFilter, *, key: str | None, limit: int
    ) -> list[Row]:
        """Evaluations by period start (then id), after the key."""
        query = _filtered(select(evaluation), evaluation, where, key, limit)
        if where.outcome is not None:
            query = query.where(evaluation.c.outcome == where.outcome.value)
        return await self.reader.fetch_all(query)

    async def surveys(self, where: EvaluationFilter, *, key: str | None, limit: int) -> list[Row]:
        """Surveys by period start (then id), after the key."""
        return await self.reader.fetch_all(_filtered(select(survey), survey, where, key, limit))


def _filtered(
    query: Select[Any], source: Table, where: EvaluationFilter, key: str | None, limit: int
) -> Select[Any]:
    columns = source.c
    query = query.order_by(columns.period_from, columns.id).limit(limit)
    for value in (where.station_id, where.visible_to_station):
        if value is not None:
            query = query.where(columns.station_id == value)
    if where.district_code is not None:
        in_district = select(station.c.id).where(station.c.district_code == where.district_code)
        query = query.where(columns.station_id.in_(in_district))
    if where.period_from is not None:
        query = query.where(columns.period_to >= where.period_from)
    if where.period_to is not None:
        query = query.where(columns.period_from <= where.period_to)
    seek = after((columns.period_from, columns.id), key)
    query = query if seek is None else query.where(seek)
    stamp = columns.updated_at if "updated_at" in columns else columns.created_at
    return paged(query, stamp, columns.id)


async def evaluation_for_update(
    session: AsyncSession, evaluation_id: uuid.UUID
) -> EvaluationRecord | None:
    """The evaluation, locked against concurrent updates until the unit of work ends."""
    return await session.get(EvaluationRecord, evaluation_id, with_for_update=True)
