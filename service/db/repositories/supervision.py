"""Supervision sessions and their archive (R10), training records (R11): reads and lookups."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row
from service.db.repositories.keyset import after, paged
from service.db.tables import (
    LinkageRecord,
    OrganisationRecord,
    SocialWorkerRecord,
    SupervisionSessionRecord,
    SupervisionSessionVersionRecord,
    TrainingRecordRecord,
    UniversityRecord,
    table,
)
from service.domain.linkages import LinkageKind, LinkageStatus
from service.domain.partners import PartnerStatus, SupervisorLevel
from service.domain.supervision import (
    SessionFilter,
    SupervisorFacts,
    SupervisorType,
    TrainingFilter,
)

supervision_session = table(SupervisionSessionRecord)
session_version = table(SupervisionSessionVersionRecord)
training = table(TrainingRecordRecord)
social_worker = table(SocialWorkerRecord)
linkage = table(LinkageRecord)
PERSON_OR_PARTNER = {
    SupervisorType.SOCIAL_WORKER: social_worker,
    SupervisorType.ORGANISATION: table(OrganisationRecord),
    SupervisorType.UNIVERSITY: table(UniversityRecord),
}


def active_linkage_on(day: date | ColumnElement[Any]) -> ColumnElement[bool]:
    """The linkage is active and its dates cover the day."""
    return and_(
        linkage.c.status == LinkageStatus.ACTIVE.value,
        linkage.c.starts_on <= day,
        or_(linkage.c.ends_on.is_(None), linkage.c.ends_on >= day),
    )


def _dated(query: Select[Any], column: Any, first: date | None, last: date | None) -> Select[Any]:
    if first is not None:
        query = query.where(column >= first)
    if last is not None:
        query = query.where(column <= last)
    return query


class SessionRepository:
    """Reads of supervision sessions, their versions and the parties they name."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, session_id: uuid.UUID) -> Row | None:
        """The session as it stands, or None."""
        query = select(supervision_session).where(supervision_session.c.id == session_id)
        return await self.reader.fetch_one(query)

    async def versions(self, session_id: uuid.UUID, *, key: str | None, limit: int) -> list[Row]:
        """A session's versions, oldest first, after the key."""
        columns = session_version.c
        query = (
            select(session_version)
            .where(columns.session_id == session_id)
            .order_by(columns.version)
            .limit(limit)
        )
        if key is not None and key.isdigit():
            query = query.where(columns.version > int(key))
        return await self.reader.fetch_all(paged(query, columns.recorded_at, columns.version))

    async def version(self, session_id: uuid.UUID, version: int) -> Row | None:
        """One version of a session, or None."""
        query = select(session_version).where(
            session_version.c.session_id == session_id, session_version.c.version == version
        )
        return await self.reader.fetch_one(query)

    async def names(self, parties: Iterable[tuple[SupervisorType, uuid.UUID]]) -> dict[Any, str]:
        """The names of supervisors, by (type, id): one query per type named."""
        found: dict[Any, str] = {}
        wanted: dict[SupervisorType, set[uuid.UUID]] = {}
        for kind, party_id in parties:
            wanted.setdefault(kind, set()).add(party_id)
        for kind, ids in wanted.items():
            source = PERSON_OR_PARTNER[kind]
            rows = await self.reader.fetch_all(
                select(source.c.id, source.c.name).where(source.c.id.in_(sorted(ids)))
            )
            found |= {(kind, row["id"]): row["name"] for row in rows}
        return found

    async def supervisor(
        self, kind: SupervisorType, party_id: uuid.UUID, *, station_id: uuid.UUID, held_on: date
    ) -> tuple[SupervisorFacts, uuid.UUID | None]:
        """What R10 needs to know about a supervisor, and the supervision linkage it works
        under with the station on the day (agencies and universities)."""
        source = PERSON_OR_PARTNER[kind]
        columns = [source.c.status]
        if kind is SupervisorType.SOCIAL_WORKER:
            columns.append(source.c.supervisor_level)
        row = await self.reader.fetch_one(select(*columns).where(source.c.id == party_id))
        if row is None:
            return SupervisorFacts(kind, exists=False), None
        linkage_id = await self.reader.scalar(
            select(linkage.c.id)
            .where(
                linkage.c.station_id == station_id,
                linkage.c.kind == LinkageKind.SUPERVISION.value,
                linkage.c.partner_type == kind.value,
                linkage.c.partner_id == party_id,
                active_linkage_on(held_on),
            )
            .order_by(linkage.c.starts_on)
            .limit(1)
        )
        facts = SupervisorFacts(
            kind,
            exists=True,
            is_recognised_supervisor=row.get("supervisor_level", SupervisorLevel.NONE.value)
            != SupervisorLevel.NONE.value,
            is_withdrawn=row["status"] == PartnerStatus.WITHDRAWN.value,
            has_supervision_linkage=linkage_id is not None,
        )
        return facts, None if kind is SupervisorType.SOCIAL_WORKER else linkage_id

    async def list(self, where: SessionFilter, *, key: str | None, limit: int) -> list[Row]:
        """Sessions by the day held (then id), after the key."""
        columns = supervision_session.c
        query = select(supervision_session).order_by(columns.held_on, columns.id).limit(limit)
        for column, value in (
            (columns.station_id, where.station_id),
            (columns.station_id, where.visible_to_station),
            (columns.supervisor_id, where.supervisor_id),
        ):
            if value is not None:
                query = query.where(column == value)
        if where.supervisor_type is not None:
            query = query.where(columns.supervisor_type == where.supervisor_type.value)
        if where.visible_to_organisation is not None:
            query = query.where(
                columns.supervisor_type == SupervisorType.ORGANISATION.value,
                columns.supervisor_id == where.visible_to_organisation,
            )
        if where.status is not None:
            query = query.where(columns.status == where.status.value)
        query = _dated(query, columns.held_on, where.held_from, where.held_to)
        seek = after((columns.held_on, columns.id), key)
        query = query if seek is None else query.where(seek)
        return await self.reader.fetch_all(paged(query, columns.updated_at, columns.id))


class TrainingRepository:
    """Reads of training records and of the social workers they are about."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, record_id: uuid.UUID) -> Row | None:
        """One training record, or None."""
        return await self.reader.fetch_one(select(training).where(training.c.id == record_id))

    @staticmethod
    def seen_by_organisation(organisation_id: uuid.UUID) -> ColumnElement[bool]:
        """Records of training the organisation gave, or of workers it employs."""
        employees = select(social_worker.c.id).where(
            social_worker.c.employer_organisation_id == organisation_id
        )
        return or_(
            and_(
                training.c.provider_type == SupervisorType.ORGANISATION.value,
                training.c.provider_id == organisation_id,
            ),
            training.c.social_worker_id.in_(employees),
        )

    async def workers(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Row]:
        """The social workers named, by id: where they serve, who employs them."""
        query = select(
            social_worker.c.id,
            social_worker.c.station_id,
            social_worker.c.employer_organisation_id,
            social_worker.c.status,
        ).where(social_worker.c.id.in_(sorted(set(ids))))
        return {row["id"]: row for row in await self.reader.fetch_all(query)}

    async def provider_exists(self, kind: SupervisorType, party_id: uuid.UUID) -> bool:
        """Whether the organisation or university giving a training is registered."""
        source = PERSON_OR_PARTNER[kind]
        return (
            await self.reader.scalar(select(source.c.id).where(source.c.id == party_id)) is not None
        )

    async def list(self, where: TrainingFilter, *, key: str | None, limit: int) -> list[Row]:
        """Training records by completion day (then id), after the key."""
        columns = training.c
        query = select(training).order_by(columns.completed_on, columns.id).limit(limit)
        for column, value in (
            (columns.social_worker_id, where.social_worker_id),
            (columns.provider_id, where.provider_id),
            (columns.batch_id, where.batch_id),
        ):
            if value is not None:
                query = query.where(column == value)
        if where.kind is not None:
            query = query.where(columns.kind == where.kind.value)
        if where.status is not None:
            query = query.where(columns.status == where.status.value)
        query = _dated(query, columns.completed_on, where.completed_from, where.completed_to)
        if where.station_id is not None or where.visible_to_station is not None:
            query = query.join(social_worker, social_worker.c.id == columns.social_worker_id)
            for station in (where.station_id, where.visible_to_station):
                if station is not None:
                    query = query.where(social_worker.c.station_id == station)
        if where.visible_to_organisation is not None:
            query = query.where(self.seen_by_organisation(where.visible_to_organisation))
        seek = after((columns.completed_on, columns.id), key)
        query = query if seek is None else query.where(seek)
        return await self.reader.fetch_all(paged(query, columns.updated_at, columns.id))


async def unknown_social_workers(reader: Reader, ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """Those of the ids that are no registered social worker."""
    wanted = sorted(set(ids))
    rows = await reader.fetch_all(select(social_worker.c.id).where(social_worker.c.id.in_(wanted)))
    known = {row["id"] for row in rows}
    return [worker for worker in wanted if worker not in known]


async def session_for_update(
    session: AsyncSession, session_id: uuid.UUID
) -> SupervisionSessionRecord | None:
    """The session, locked against concurrent corrections until the unit of work ends."""
    return await session.get(SupervisionSessionRecord, session_id, with_for_update=True)


async def training_for_update(
    session: AsyncSession, record_id: uuid.UUID
) -> TrainingRecordRecord | None:
    """The training record, locked against concurrent corrections until the unit of work ends."""
    return await session.get(TrainingRecordRecord, record_id, with_for_update=True)
