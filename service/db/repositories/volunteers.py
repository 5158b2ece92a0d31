"""Volunteers and volunteer teams: by id, by blind index, by filter, and teams' members."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row
from service.db.repositories.keyset import after, paged
from service.db.tables import (
    VolunteerRecord,
    VolunteerTeamMemberRecord,
    VolunteerTeamRecord,
    table,
)
from service.db.types import covering, has_weekday, json_array_contains
from service.domain.partners import PartnerFilter, TeamRole
from service.domain.resources import VolunteerFilter, VolunteerTeamFilter

volunteer = table(VolunteerRecord)
team = table(VolunteerTeamRecord)
member = table(VolunteerTeamMemberRecord)

_VOLUNTEER_BY_ID = select(volunteer).where(volunteer.c.id == bindparam("id"))
_TEAM_BY_ID = select(team).where(team.c.id == bindparam("id"))
_MEMBERS = (
    select(volunteer, member.c.role, member.c.joined_on)
    .join(member, member.c.volunteer_id == volunteer.c.id)
    .where(member.c.team_id == bindparam("team_id"))
)


def _partner_conditions(source: Table, where: PartnerFilter) -> list[ColumnElement[bool]]:
    """The filters every partner registry shares: area covers a division, status, skill, name."""
    conditions: list[ColumnElement[bool]] = []
    if where.division_code is not None:
        conditions.append(covering(source.c.service_area, where.division_code))
    if where.status is not None:
        conditions.append(source.c.status == where.status.value)
    if where.skill is not None:
        conditions.append(json_array_contains(source.c.skills, where.skill))
    if where.name_contains is not None:
        conditions.append(source.c.name.contains(where.name_contains, autoescape=True))
    return conditions


class VolunteerRepository:
    """Reads of the volunteer registry."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, volunteer_id: uuid.UUID) -> Row | None:
        """One volunteer's row, or None."""
        return await self.reader.fetch_one(_VOLUNTEER_BY_ID, {"id": volunteer_id})

    async def by_id_number_index(self, index: str) -> Row | None:
        """The volunteer whose ID number has this blind index, if any."""
        return await self.reader.fetch_one(
            select(volunteer).where(volunteer.c.id_number_index == index)
        )

    async def list(
        self,
        where: VolunteerFilter,
        *,
        key: str | None,
        limit: int,
        readable: ColumnElement[Any] | None = None,
    ) -> list[Row]:
        """Volunteers in registration order after the key; `readable` narrows them to the
        persons a bound caller may read (names are personal data: never a sort key)."""
        query = select(volunteer).order_by(volunteer.c.created_at, volunteer.c.id).limit(limit)
        if readable is not None:
            query = query.where(readable)
        for condition in _partner_conditions(volunteer, where):
            query = query.where(condition)
        if where.available_weekday is not None:
            query = query.where(
                has_weekday(volunteer.c.weekly_availability, where.available_weekday)
            )
        seek = after((volunteer.c.created_at, volunteer.c.id), key)
        if seek is not None:
            query = query.where(seek)
        return await self.reader.fetch_all(paged(query, volunteer.c.updated_at, volunteer.c.id))


class VolunteerTeamRepository:
    """Reads of volunteer teams and their members."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def get(self, team_id: uuid.UUID) -> Row | None:
        """One team's row, or None."""
        return await self.reader.fetch_one(_TEAM_BY_ID, {"id": team_id})

    async def members(self, team_id: uuid.UUID, *, key: str | None, limit: int) -> list[Row]:
        """A team's members (volunteer columns, role, joined_on) in the order they joined, after
        the key (names are personal data: never a sort key)."""
        query = _MEMBERS.order_by(member.c.joined_on, member.c.volunteer_id).limit(limit)
        seek = after((member.c.joined_on, member.c.volunteer_id), key)
        if seek is not None:
            query = query.where(seek)
        query = paged(query, None, member.c.volunteer_id, ident_path="volunteer.id")
        return await self.reader.fetch_all(query, {"team_id": team_id})

    async def member(self, team_id: uuid.UUID, volunteer_id: uuid.UUID) -> Row | None:
        """One member's row, or None when the volunteer is not in the team."""
        return await self.reader.fetch_one(
            _MEMBERS.where(member.c.volunteer_id == bindparam("volunteer_id")),
            {"team_id": team_id, "volunteer_id": volunteer_id},
        )

    async def leader(self, team_id: uuid.UUID) -> uuid.UUID | None:
        """The volunteer who leads the team, if any."""
        found: uuid.UUID | None = await self.reader.scalar(
            select(member.c.volunteer_id).where(
                member.c.team_id == team_id, member.c.role == TeamRole.LEADER.value
            )
        )
        return found

    async def list(self, where: VolunteerTeamFilter, *, key: str | None, limit: int) -> list[Row]:
        """Teams in name order after the key."""
        query = select(team).order_by(team.c.name, team.c.id).limit(limit)
        for condition in _partner_conditions(team, where):
            query = query.where(condition)
        if where.leading_organisation_id is not None:
            query = query.where(team.c.leading_organisation_id == where.leading_organisation_id)
        seek = after((team.c.name, team.c.id), key)
        if seek is not None:
            query = query.where(seek)
        return await self.reader.fetch_all(paged(query, team.c.updated_at, team.c.id))


async def volunteer_for_update(
    session: AsyncSession, volunteer_id: uuid.UUID
) -> VolunteerRecord | None:
    """The volunteer, locked against concurrent updates until the unit of work ends."""
    return await session.get(VolunteerRecord, volunteer_id, with_for_update=True)


async def team_for_update(session: AsyncSession, team_id: uuid.UUID) -> VolunteerTeamRecord | None:
    """The team, locked until the unit of work ends: member changes of one team queue up."""
    return await session.get(VolunteerTeamRecord, team_id, with_for_update=True)


async def membership(
    session: AsyncSession, team_id: uuid.UUID, volunteer_id: uuid.UUID
) -> VolunteerTeamMemberRecord | None:
    """The volunteer's membership of the team, if any."""
    return await session.get(VolunteerTeamMemberRecord, (team_id, volunteer_id))


async def remove_membership(session: AsyncSession, record: VolunteerTeamMemberRecord) -> None:
    """Stage the removal of a membership."""
    await session.delete(record)
