"""Use cases of volunteer teams (志愿服务队) and their members; a team has one leader at most."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row, SqlAlchemyReader
from service.db.repositories.keyset import encode_key
from service.db.repositories.organisations import OrganisationRepository
from service.db.repositories.volunteers import (
    VolunteerRepository,
    VolunteerTeamRepository,
    membership,
    remove_membership,
    team_for_update,
)
from service.db.tables import VolunteerTeamMemberRecord, VolunteerTeamRecord
from service.domain.access import (
    Caller,
    PersonKind,
    Steward,
    check_may_change_partner,
    outside_binding,
)
from service.domain.errors import Conflict, FieldProblem, NotFound, rule_violation
from service.domain.hangzhou_time import local_date
from service.domain.partners import TeamRole
from service.domain.resources import VolunteerTeamFilter
from service.schemas.encoding import View
from service.schemas.volunteers import (
    TeamMemberRead,
    VolunteerTeamCreate,
    VolunteerTeamRead,
    VolunteerTeamUpdate,
    team_member_view,
    team_read,
    team_view,
)
from service.usecases.common import KeysetPage, Services, check_version, unit_of_work
from service.usecases.disclosure import disclosure
from service.usecases.idempotency import Created, CreationResult, IdempotencyKey, create_once
from service.usecases.partners import service_area_check


@dataclass(frozen=True, slots=True)
class MembershipChange:
    """A member as they now stand, and whether the change added them to the team."""

    member: TeamMemberRead
    added: bool


async def _check(reader: Reader, values: dict[str, Any]) -> None:
    """The leading organisation is registered and the service area is Hangzhou's."""
    problems: list[FieldProblem] = []
    organisation_id = values.get("leading_organisation_id")
    if organisation_id is not None:
        if await OrganisationRepository(reader).get(uuid.UUID(organisation_id)) is None:
            problems.append(
                FieldProblem(
                    "leading_organisation_id",
                    f"no organisation with id {organisation_id}",
                    code="unknown_organisation",
                )
            )
    if "service_area" in values:
        problems += await service_area_check(reader, values["service_area"])
    if problems:
        raise rule_violation(problems)


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """API field values as the table's columns (the organisation id as a UUID)."""
    columns = dict(values)
    if columns.get("leading_organisation_id") is not None:
        columns["leading_organisation_id"] = uuid.UUID(columns["leading_organisation_id"])
    return columns


def _check_may_change(caller: Caller, team: VolunteerTeamRecord) -> None:
    """The bureau's clients, the team's steward, or the organisation that leads it."""
    steward = Steward(team.steward_station_id, team.steward_organisation_id)
    check_may_change_partner(
        caller, steward, f"volunteer team {team.id}", organisation_id=team.leading_organisation_id
    )


def _check_leader(caller: Caller, values: dict[str, Any]) -> None:
    """An organisation-bound client does not hand a team to another organisation."""
    leading = values.get("leading_organisation_id")
    if (
        caller.organisation_id is not None
        and leading is not None
        and uuid.UUID(str(leading)) != caller.organisation_id
    ):
        raise outside_binding(caller, "teams another organisation leads")


async def _shown_members(
    reader: Reader, services: Services, caller: Caller, rows: list[Row]
) -> list[View[TeamMemberRead]]:
    """Member rows as the caller may see them: names in clear only for persons it may read."""
    kind = PersonKind.VOLUNTEER
    shown = await disclosure(
        reader, caller, [(kind, row["id"]) for row in rows], now=services.clock()
    )
    return [team_member_view(row, reveal=shown.reveals(kind, row["id"])) for row in rows]


def _touch(services: Services, team: VolunteerTeamRecord) -> None:
    team.version += 1
    team.updated_at = services.clock()


async def create_team(
    services: Services,
    *,
    caller: Caller,
    data: VolunteerTeamCreate,
    key: IdempotencyKey | None,
    ttl: timedelta,
) -> CreationResult:
    """Register a volunteer team, led by a registered organisation if any."""

    async def create(session: AsyncSession) -> Created:
        values = data.model_dump(mode="json")
        _check_leader(caller, values)
        await _check(SqlAlchemyReader(session), values)
        now = services.clock()
        steward = caller.steward()
        record = VolunteerTeamRecord(
            id=uuid.uuid4(),
            version=1,
            created_at=now,
            updated_at=now,
            steward_station_id=steward.station_id,
            steward_organisation_id=steward.organisation_id,
            **_columns(values),
        )
        session.add(record)
        await session.flush()
        return Created(
            body=team_read(record.model_dump()),
            location=f"/v1/volunteer-teams/{record.id}",
            version=record.version,
        )

    return await create_once(services, caller=caller, key=key, ttl=ttl, create=create)


async def get_team(services: Services, *, team_id: uuid.UUID) -> View[VolunteerTeamRead]:
    """One team by id."""
    async with services.database.read() as reader:
        row = await VolunteerTeamRepository(reader).get(team_id)
    if row is None:
        raise NotFound(f"no volunteer team with id {team_id}")
    return team_view(row)


async def list_teams(
    services: Services, *, where: VolunteerTeamFilter, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of teams in name order, as the values VolunteerTeamRead shows."""
    async with services.database.read() as reader:
        rows = await VolunteerTeamRepository(reader).list(where, key=after, limit=limit + 1)
    return KeysetPage.of(
        [team_view(row).values for row in rows],
        limit=limit,
        key=lambda team: encode_key(team["name"], team["id"]),
    )


async def update_team(
    services: Services,
    *,
    caller: Caller,
    team_id: uuid.UUID,
    expected_version: frozenset[int] | None,
    changes: VolunteerTeamUpdate,
) -> VolunteerTeamRead:
    """Apply a partial update under optimistic concurrency; re-check what was sent."""
    async with unit_of_work(services.database) as session:
        record = await team_for_update(session, team_id)
        if record is None:
            raise NotFound(f"no volunteer team with id {team_id}")
        _check_may_change(caller, record)
        check_version("volunteer team", current=record.version, expected=expected_version)
        sent = changes.model_dump(mode="json", include=changes.model_fields_set)
        _check_leader(caller, sent)
        await _check(SqlAlchemyReader(session), sent)
        changed = {
            column: value
            for column, value in _columns(sent).items()
            if getattr(record, column) != value
        }
        if changed:
            for column, value in changed.items():
                setattr(record, column, value)
            _touch(services, record)
            await session.flush()
        return team_read(record.model_dump())


async def _locked_team(
    session: AsyncSession, caller: Caller, team_id: uuid.UUID
) -> VolunteerTeamRecord:
    """The team, locked for a change of its members by a caller who may change it."""
    team = await team_for_update(session, team_id)
    if team is None:
        raise NotFound(f"no volunteer team with id {team_id}")
    _check_may_change(caller, team)
    return team


async def put_member(
    services: Services,
    *,
    caller: Caller,
    team_id: uuid.UUID,
    volunteer_id: uuid.UUID,
    role: TeamRole,
) -> MembershipChange:
    """Add a volunteer to a team or change their role; a second leader is a conflict."""
    async with unit_of_work(services.database) as session:
        team = await _locked_team(session, caller, team_id)
        reader = SqlAlchemyReader(session)
        if await VolunteerRepository(reader).get(volunteer_id) is None:
            raise NotFound(f"no volunteer with id {volunteer_id}", code="volunteer_not_found")
        current = await membership(session, team_id, volunteer_id)
        if role is TeamRole.LEADER and (current is None or current.role != role.value):
            leader = await VolunteerTeamRepository(reader).leader(team_id)
            if leader is not None:
                raise Conflict(
                    "the team has a leader already; make them a member first",
                    code="team_has_leader",
                    extra={"leader_volunteer_id": str(leader)},
                )
        added = current is None
        if current is None:
            session.add(
                VolunteerTeamMemberRecord(
                    team_id=team_id,
                    volunteer_id=volunteer_id,
                    role=role.value,
                    joined_on=local_date(services.clock()),
                )
            )
            _touch(services, team)
        elif current.role != role.value:
            current.role = role.value
            _touch(services, team)
        await session.flush()
        row = await VolunteerTeamRepository(reader).member(team_id, volunteer_id)
        if row is None:  # pragma: no cover - written in this unit of work
            raise NotFound(
                f"volunteer {volunteer_id} is not in team {team_id}", code="not_a_member"
            )
        shown = await _shown_members(reader, services, caller, [row])
    return MembershipChange(member=shown[0].validated(), added=added)


async def remove_member(
    services: Services, *, caller: Caller, team_id: uuid.UUID, volunteer_id: uuid.UUID
) -> None:
    """Take a volunteer out of a team."""
    async with unit_of_work(services.database) as session:
        team = await _locked_team(session, caller, team_id)
        current = await membership(session, team_id, volunteer_id)
        if current is None:
            raise NotFound(
                f"volunteer {volunteer_id} is not in team {team_id}", code="not_a_member"
            )
        await remove_membership(session, current)
        _touch(services, team)


async def get_member(
    services: Services, *, caller: Caller, team_id: uuid.UUID, volunteer_id: uuid.UUID
) -> View[TeamMemberRead]:
    """One member of a team, masked."""
    async with services.database.read() as reader:
        teams = VolunteerTeamRepository(reader)
        if await teams.get(team_id) is None:
            raise NotFound(f"no volunteer team with id {team_id}")
        row = await teams.member(team_id, volunteer_id)
        if row is None:
            raise NotFound(
                f"volunteer {volunteer_id} is not in team {team_id}", code="not_a_member"
            )
        return (await _shown_members(reader, services, caller, [row]))[0]


async def list_members(
    services: Services, *, caller: Caller, team_id: uuid.UUID, after: str | None, limit: int
) -> KeysetPage[dict[str, Any]]:
    """A page of a team's members in the order they joined, masked, as the values
    TeamMemberRead shows."""
    async with services.database.read() as reader:
        teams = VolunteerTeamRepository(reader)
        if await teams.get(team_id) is None:
            raise NotFound(f"no volunteer team with id {team_id}")
        rows = await teams.members(team_id, key=after, limit=limit + 1)
        items = [view.values for view in await _shown_members(reader, services, caller, rows)]
    return KeysetPage.of(
        items,
        limit=limit,
        key=lambda member: encode_key(member["joined_on"].isoformat(), member["volunteer"]["id"]),
    )
