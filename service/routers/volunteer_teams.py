"""/v1/volunteer-teams: volunteer teams (志愿服务队), their leading organisation and members."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response

from service.domain.offerings import Skill
from service.domain.partners import PartnerStatus
from service.domain.resources import VolunteerTeamFilter
from service.http.pagination import (
    PageParamsDep,
    decode_page_token,
    page_response,
)
from service.http.params import DivisionCodeQuery, NameQuery
from service.http.preconditions import IfMatch, IfNoneMatch, parse_if_match
from service.http.responses import (
    CREATE,
    NOT_MODIFIED,
    READ,
    READ_ONE,
    UPDATE,
    creation_response,
    json_response,
    problems,
    versioned_response,
)
from service.http.routing import (
    ApiRoute,
    IdempotencyKeyHeader,
    ServicesDep,
    SettingsDep,
    idempotency_key,
)
from service.http.security import ReadCaller, WriteCaller
from service.schemas.volunteers import (
    TeamMemberPage,
    TeamMemberRead,
    TeamMembershipIn,
    VolunteerTeamCreate,
    VolunteerTeamPage,
    VolunteerTeamRead,
    VolunteerTeamUpdate,
)
from service.usecases import volunteer_teams

router = APIRouter(prefix="/v1/volunteer-teams", tags=["volunteer-teams"], route_class=ApiRoute)

MEMBER_ADDED = 201


def _member_problems(statuses: tuple[int, ...], missing: str) -> dict[int | str, dict[str, Any]]:
    """The route's problems, with 404 saying which of team and volunteer may be missing."""
    responses = problems(statuses)
    responses[404] = {**responses[404], "description": missing}
    return responses


@router.post(
    "",
    status_code=201,
    response_model=VolunteerTeamRead,
    responses=problems(CREATE),
    operation_id="create_volunteer_team",
    summary="Register a volunteer team",
)
async def create_volunteer_team(
    body: VolunteerTeamCreate,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    settings: SettingsDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Register a volunteer team (scope `registry:write`)."""
    result = await volunteer_teams.create_team(
        services,
        caller=caller,
        data=body,
        key=idempotency_key(key, request=request, body=body),
        ttl=settings.idempotency_ttl,
    )
    return creation_response(result)


@router.get(
    "",
    response_model=VolunteerTeamPage,
    responses=problems(READ),
    operation_id="list_volunteer_teams",
    summary="List volunteer teams",
)
async def list_volunteer_teams(
    _: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    division_code: DivisionCodeQuery = None,
    skill: Skill | None = None,
    status: PartnerStatus | None = None,
    leading_organisation_id: uuid.UUID | None = None,
    q: NameQuery = None,
) -> Response:
    """List volunteer teams in name order; `division_code` keeps those whose area covers it."""
    where = VolunteerTeamFilter(
        division_code=division_code,
        status=status,
        skill=skill,
        name_contains=q,
        leading_organisation_id=leading_organisation_id,
    )
    result = await volunteer_teams.list_teams(
        services, where=where, after=decode_page_token(page.token, where), limit=page.size
    )
    return page_response(VolunteerTeamPage, result, where)


@router.get(
    "/{team_id}",
    response_model=VolunteerTeamRead,
    responses={**NOT_MODIFIED, **problems(READ_ONE)},
    operation_id="get_volunteer_team",
    summary="Get a volunteer team",
)
async def get_volunteer_team(
    team_id: uuid.UUID,
    _: ReadCaller,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Get one volunteer team, with its ETag (scope `registry:read`)."""
    team = await volunteer_teams.get_team(services, team_id=team_id)
    return versioned_response(team, version=team["version"], if_none_match=if_none_match)


@router.patch(
    "/{team_id}",
    response_model=VolunteerTeamRead,
    responses=problems(UPDATE),
    operation_id="update_volunteer_team",
    summary="Change a volunteer team",
)
async def update_volunteer_team(
    team_id: uuid.UUID,
    body: VolunteerTeamUpdate,
    caller: WriteCaller,
    services: ServicesDep,
    if_match: IfMatch,
) -> Response:
    """Change a volunteer team; send If-Match with its ETag (scope `registry:write`)."""
    team = await volunteer_teams.update_team(
        services,
        caller=caller,
        team_id=team_id,
        expected_version=parse_if_match(if_match),
        changes=body,
    )
    return versioned_response(team, version=team.version)


@router.get(
    "/{team_id}/members",
    response_model=TeamMemberPage,
    responses=problems(READ_ONE),
    operation_id="list_volunteer_team_members",
    summary="List a team's members",
)
async def list_volunteer_team_members(
    team_id: uuid.UUID,
    caller: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
) -> Response:
    """List a team's members in the order they joined, masked, with roles (scope
    `registry:read`)."""
    filters = {"team_id": str(team_id)}
    result = await volunteer_teams.list_members(
        services,
        caller=caller,
        team_id=team_id,
        after=decode_page_token(page.token, filters),
        limit=page.size,
    )
    return page_response(TeamMemberPage, result, filters)


@router.get(
    "/{team_id}/members/{volunteer_id}",
    response_model=TeamMemberRead,
    responses=_member_problems(READ_ONE, "No such team, or the volunteer is not a member."),
    operation_id="get_volunteer_team_member",
    summary="Get a team member",
)
async def get_volunteer_team_member(
    team_id: uuid.UUID,
    volunteer_id: uuid.UUID,
    caller: ReadCaller,
    services: ServicesDep,
) -> Response:
    """Get one member of a team, masked, with their role (scope `registry:read`)."""
    member = await volunteer_teams.get_member(
        services, caller=caller, team_id=team_id, volunteer_id=volunteer_id
    )
    return json_response(member)


@router.put(
    "/{team_id}/members/{volunteer_id}",
    response_model=TeamMemberRead,
    responses={
        MEMBER_ADDED: {"model": TeamMemberRead, "description": "Added to the team."},
        **_member_problems(
            (*CREATE, 404),
            "No such team (`not_found`) or no such volunteer (`volunteer_not_found`).",
        ),
    },
    operation_id="put_volunteer_team_member",
    summary="Add a team member or change their role",
)
async def put_volunteer_team_member(
    team_id: uuid.UUID,
    volunteer_id: uuid.UUID,
    body: TeamMembershipIn,
    caller: WriteCaller,
    services: ServicesDep,
) -> Response:
    """Add a volunteer to a team (201) or change their role (200) (scope `registry:write`)."""
    change = await volunteer_teams.put_member(
        services, caller=caller, team_id=team_id, volunteer_id=volunteer_id, role=body.role
    )
    return json_response(change.member, status_code=MEMBER_ADDED if change.added else 200)


@router.delete(
    "/{team_id}/members/{volunteer_id}",
    status_code=204,
    response_class=Response,
    responses=_member_problems(
        READ_ONE, "No such team (`not_found`), or the volunteer is not a member (`not_a_member`)."
    ),
    operation_id="remove_volunteer_team_member",
    summary="Remove a team member",
)
async def remove_volunteer_team_member(
    team_id: uuid.UUID,
    volunteer_id: uuid.UUID,
    caller: WriteCaller,
    services: ServicesDep,
) -> Response:
    """Take a volunteer out of a team (scope `registry:write`)."""
    await volunteer_teams.remove_member(
        services, caller=caller, team_id=team_id, volunteer_id=volunteer_id
    )
    return Response(status_code=204)
