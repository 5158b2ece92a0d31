"""The access model as one table: every route × binding × owner, and the answer it must give.

A binding narrows every scope: each client below holds every scope it may hold (all but `audit`,
which goes to a separate auditor), bound to nothing, to station A, or to organisation O. For
each route a case is built twice, on an object of the caller's own binding (station A,
organisation O, or what they steward) and on another's (station B, organisation P), and the
answer must be the row's: `OK` (any 2xx), 403 (seen, but not the caller's to change) or 404
(not seen at all). The table is checked against the app's route table, so a route cannot ship
without its row.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI

from service.domain.access import Scope
from service.usecases.clients import create_client
from service.usecases.common import Services
from tests.factories.allocation import start_run, wait_for_run
from tests.factories.compliance import course_body, evaluation_body, session_body, survey_body
from tests.factories.graph import add_social_worker, linkage_body
from tests.factories.offers import add_offer, add_request
from tests.factories.partners import organisation_body, resident_id
from tests.factories.people import social_worker_body, university_body
from tests.factories.registry import BEISHAN, QINGBO, communities_of, station_body, townships
from tests.factories.requests import request_body
from tests.factories.volunteers import resource_body, team_body, volunteer_body

OK = "2xx"
Expected = int | str
NONE, STATION, ORGANISATION = "none", "station", "organisation"
BINDINGS = (NONE, STATION, ORGANISATION)
PURPOSE = {"X-Access-Purpose": "authorization-table"}
EVERY_SCOPE_BUT_AUDIT = tuple(s for s in Scope if s is not Scope.AUDIT)
# Served without an API key, or not part of the API: no row, but listed here on purpose.
OPEN_ROUTES = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/v1/problem-types"),  # the catalogue of problem codes, documentation like /docs
    ("GET", "/v1/problem-types/{code}"),
    ("GET", "/app"),  # the stations' web client: static files; it calls the API with the key
    ("GET", "/app/"),
    ("GET", "/app/{version}/{path:path}"),
}


@dataclass
class World:
    """Two stations (A, B), two organisations (O, P), a writer for each, and the callers."""

    services: Services
    admin: httpx.AsyncClient
    station_a: str
    station_b: str
    organisation_o: str
    organisation_p: str
    university: str = ""
    writers: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    binding: str = NONE
    caller: httpx.AsyncClient | None = None

    def own_station(self, owner: str) -> str:
        return self.station_a if owner == "own" else self.station_b

    def own_organisation(self, owner: str) -> str:
        return self.organisation_o if owner == "own" else self.organisation_p

    def steward(self, owner: str) -> httpx.AsyncClient:
        """The client whose records count as the owner's: the binding's own writer (or the
        other station's/organisation's), the bureau's admin for an unbound caller."""
        if self.binding == NONE:
            return self.admin
        side = "a" if owner == "own" else "b"
        return self.writers[f"{self.binding}_{side}"]


@dataclass(frozen=True)
class Call:
    """One request a case makes."""

    method: str
    path: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Maker = Callable[[World, str], Awaitable[Call]]


@dataclass(frozen=True)
class Row:
    """A route's case and its expected answers: per binding, (own, other)."""

    make: Maker
    none: tuple[Expected, Expected] = (OK, OK)
    station: tuple[Expected, Expected] = (OK, OK)
    organisation: tuple[Expected, Expected] = (OK, OK)
    auditor: bool = False  # called by the auditor of the binding instead

    def expected(self, binding: str, owner: str) -> Expected:
        pair: tuple[Expected, Expected] = getattr(self, binding)
        return pair[0] if owner == "own" else pair[1]


async def created(client: httpx.AsyncClient, path: str, body: Any) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code == 201, f"{path}: {response.text}"
    result: dict[str, Any] = response.json()
    return result


def get(path: str) -> Maker:
    async def make(world: World, owner: str) -> Call:
        return Call("GET", path)

    return make


def _township(world: World, owner: str) -> str:
    return BEISHAN if world.own_station(owner) == world.station_a else QINGBO


_unique = iter(range(10**6))


# --- makers: each builds what one case acts on -------------------------------------------------


async def new_station(world: World, owner: str) -> Call:
    free = [t["code"] for t in townships() if t["code"] not in (BEISHAN, QINGBO)]
    return Call("POST", "/v1/stations", station_body(free[next(_unique) % len(free)]))


async def a_station(world: World, owner: str) -> str:
    return world.own_station(owner)


async def station_patch(world: World, owner: str) -> Call:
    station = await a_station(world, owner)
    return Call("PATCH", f"/v1/stations/{station}", {"address": "新址"}, {"If-Match": "*"})


async def station_get(world: World, owner: str) -> Call:
    return Call("GET", f"/v1/stations/{await a_station(world, owner)}")


async def station_network(world: World, owner: str) -> Call:
    # Organisation O is linked with station A; P with B.
    return Call("GET", f"/v1/stations/{world.own_station(owner)}/network")


async def station_compliance(world: World, owner: str) -> Call:
    # Verdicts are read like the network: a station its own, an organisation its linked ones.
    return Call("GET", f"/v1/stations/{world.own_station(owner)}/compliance")


def _community(world: World, owner: str) -> str:
    """A community of the owner's station's township, a different one each time."""
    communities = communities_of(_township(world, owner))
    return communities[next(_unique) % len(communities)]["code"]


async def an_office(world: World, owner: str) -> dict[str, Any]:
    return await created(world.admin, "/v1/offices", {"community_code": _community(world, owner)})


async def new_office(world: World, owner: str) -> Call:
    return Call("POST", "/v1/offices", {"community_code": _community(world, owner)})


async def office_get(world: World, owner: str) -> Call:
    return Call("GET", f"/v1/offices/{(await an_office(world, owner))['id']}")


async def office_patch(world: World, owner: str) -> Call:
    office = await an_office(world, owner)
    return Call(
        "PATCH", f"/v1/offices/{office['id']}", {"is_demonstration": True}, {"If-Match": "*"}
    )


async def office_compliance(world: World, owner: str) -> Call:
    return Call("GET", f"/v1/offices/{(await an_office(world, owner))['id']}/compliance")


# Partners. `owner`'s records are those its binding's writer registered (its steward); an
# organisation's own record is itself.


async def registered(world: World, owner: str, path: str, body: Any) -> str:
    """A record registered by the owner's steward (the bureau, if it may not register one)."""
    response = await world.steward(owner).post(path, json=body)
    if response.status_code == 403:
        response = await world.admin.post(path, json=body)
    assert response.status_code == 201, f"{path}: {response.text}"
    return str(response.json()["id"])


async def an_organisation(world: World, owner: str) -> str:
    if world.binding == ORGANISATION:
        return world.own_organisation(owner)
    return await registered(world, owner, "/v1/organisations", organisation_body(uscc=_uscc()))


def _uscc() -> str:
    from tests.factories.partners import uscc

    return uscc("52")


async def a_university(world: World, owner: str) -> str:
    return await registered(world, owner, "/v1/universities", university_body())


async def a_social_worker(world: World, owner: str) -> str:
    if world.binding == ORGANISATION:
        body = social_worker_body(employer_organisation_id=world.own_organisation(owner))
    else:
        body = social_worker_body(station_id=world.own_station(owner))
    return await registered(world, owner, "/v1/social-workers", body)


async def a_volunteer(world: World, owner: str) -> str:
    return await registered(world, owner, "/v1/volunteers", volunteer_body())


async def a_team(world: World, owner: str) -> str:
    leading = world.own_organisation(owner) if world.binding == ORGANISATION else None
    return await registered(
        world, owner, "/v1/volunteer-teams", team_body(leading_organisation_id=leading)
    )


async def a_resource(world: World, owner: str) -> str:
    return await registered(
        world, owner, "/v1/charity-resources", resource_body(world.own_organisation(owner))
    )


def read_one(collection: str, make: Callable[[World, str], Awaitable[str]]) -> Maker:
    async def maker(world: World, owner: str) -> Call:
        return Call("GET", f"{collection}/{await make(world, owner)}")

    return maker


def patch_one(
    collection: str, make: Callable[[World, str], Awaitable[str]], body: dict[str, Any]
) -> Maker:
    async def maker(world: World, owner: str) -> Call:
        return Call("PATCH", f"{collection}/{await make(world, owner)}", body, {"If-Match": "*"})

    return maker


def contact_of(collection: str, make: Callable[[World, str], Awaitable[str]]) -> Maker:
    async def maker(world: World, owner: str) -> Call:
        return Call("GET", f"{collection}/{await make(world, owner)}/contact", headers=PURPOSE)

    return maker


def post(path: str, body: Callable[[World, str], Any]) -> Maker:
    async def maker(world: World, owner: str) -> Call:
        return Call("POST", path, body(world, owner))

    return maker


def search(path: str) -> Maker:
    async def maker(world: World, owner: str) -> Call:
        return Call("POST", path, {"id_number": resident_id()}, PURPOSE)

    return maker


def social_worker_of(world: World, owner: str) -> dict[str, Any]:
    if world.binding == ORGANISATION:
        return social_worker_body(employer_organisation_id=world.own_organisation(owner))
    return social_worker_body(station_id=world.own_station(owner))


def team_of(world: World, owner: str) -> dict[str, Any]:
    leading = world.own_organisation(owner) if world.binding == ORGANISATION else None
    return team_body(leading_organisation_id=leading)


def member(method: str) -> Maker:
    async def maker(world: World, owner: str) -> Call:
        team = await a_team(world, owner)
        volunteer = await a_volunteer(world, "own")
        path = f"/v1/volunteer-teams/{team}/members/{volunteer}"
        if method == "PUT":
            return Call("PUT", path, {"role": "member"})
        added = await world.admin.put(path, json={"role": "member"})
        assert added.status_code == 201, added.text
        return Call(method, path)

    return maker


def members_list(world: World, owner: str) -> Awaitable[Call]:
    async def maker() -> Call:
        return Call("GET", f"/v1/volunteer-teams/{await a_team(world, owner)}/members")

    return maker()


# Linkages: station A is linked with organisation O, station B with P.


async def a_linkage(world: World, owner: str) -> str:
    day = f"2024-{1 + next(_unique) % 12:02d}-{1 + next(_unique) % 28:02d}"  # before the world's
    body = linkage_body(
        world.own_station(owner),
        "organisation",
        world.own_organisation(owner),
        "resource_partner",
        starts_on=day,
        ends_on=day,
    )
    return (await created(world.admin, "/v1/linkages", body))["id"]


def new_linkage(world: World, owner: str) -> dict[str, Any]:
    day = f"2023-{1 + next(_unique) % 12:02d}-{1 + next(_unique) % 28:02d}"  # one day each
    return linkage_body(
        world.own_station(owner),
        "university",
        world.university,
        "practice_base",
        starts_on=day,
        ends_on=day,
    )


# Requests and offers, inserted as rows so that their windows and states are the case's own.
# An organisation's "own" request is one with an offer it answers for.


async def a_request(world: World, owner: str, status: str = "open") -> str:
    request = await add_request(world.services, world.own_station(owner), status=status)
    if world.binding == ORGANISATION:
        await add_offer(world.services, request, "organisation", world.own_organisation(owner))
    return str(request.id)


def on_request(action: str, body: Any = None, method: str = "POST", status: str = "open") -> Maker:
    async def maker(world: World, owner: str) -> Call:
        path = f"/v1/resource-requests/{await a_request(world, owner, status)}"
        headers = {"If-Match": "*"} if method == "PATCH" else {}
        return Call(method, f"{path}{action}", body, headers)

    return maker


def on_offer(action: str, body: Any = None, *, status: str = "proposed") -> Maker:
    async def maker(world: World, owner: str) -> Call:
        request = await add_request(world.services, world.own_station(owner))
        offer = await add_offer(
            world.services,
            request,
            "organisation",
            world.own_organisation(owner),
            status=status,
        )
        method = "GET" if action == "" else "POST"
        return Call(method, f"/v1/offers/{offer.id}{action}", body)

    return maker


async def a_completed_offer(world: World, owner: str) -> Call:
    request = await add_request(world.services, world.own_station(owner))
    offer = await add_offer(
        world.services, request, "organisation", world.own_organisation(owner), status="accepted"
    )
    done = await world.admin.post(f"/v1/offers/{offer.id}/complete", json={"actual_quantity": 1})
    assert done.status_code == 200, done.text
    return Call("POST", f"/v1/offers/{offer.id}/rate", {"rating": 5})


async def a_run(world: World, owner: str) -> str:
    run = await start_run(world.admin)
    return str((await wait_for_run(world.admin, run["id"]))["id"])


async def run_get(world: World, owner: str) -> Call:
    return Call("GET", f"/v1/allocation-runs/{await a_run(world, owner)}")


async def run_apply(world: World, owner: str) -> Call:
    return Call("POST", f"/v1/allocation-runs/{await a_run(world, owner)}/apply")


async def volunteer_records(world: World, owner: str) -> Call:
    return Call("GET", f"/v1/volunteers/{await a_volunteer(world, owner)}/service-records")


# Supervision and training: station A is supervised by organisation O, station B by P.


async def _session_body(world: World, owner: str) -> dict[str, Any]:
    station = world.own_station(owner)
    if world.binding == ORGANISATION:
        supervisor: tuple[str, Any] = ("organisation", world.own_organisation(owner))
    else:
        supervisor = (
            "social_worker",
            await add_social_worker(world.services, supervisor_level="municipal"),
        )
    attendee = await add_social_worker(world.services, station_id=station)
    day = f"2026-{1 + next(_unique) % 6:02d}-{1 + next(_unique) % 28:02d}"
    return session_body(station, supervisor, [attendee], held_on=day)


async def new_session(world: World, owner: str) -> Call:
    return Call("POST", "/v1/supervision-sessions", await _session_body(world, owner))


async def a_session(world: World, owner: str) -> str:
    return (
        await created(world.admin, "/v1/supervision-sessions", await _session_body(world, owner))
    )["id"]


def on_session(action: str, body: Any = None, method: str = "GET") -> Maker:
    async def maker(world: World, owner: str) -> Call:
        headers = {"If-Match": "*"} if method == "PATCH" else {}
        path = f"/v1/supervision-sessions/{await a_session(world, owner)}{action}"
        return Call(method, path, body, headers)

    return maker


async def _course_body(world: World, owner: str) -> dict[str, Any]:
    attendee = await add_social_worker(world.services, station_id=world.own_station(owner))
    provider = None
    if world.binding == ORGANISATION:
        provider = {"type": "organisation", "id": world.own_organisation(owner)}
    return course_body([attendee], provider=provider)


async def new_course(world: World, owner: str) -> Call:
    return Call("POST", "/v1/training-records", await _course_body(world, owner))


def on_training(method: str) -> Maker:
    async def maker(world: World, owner: str) -> Call:
        batch = await created(world.admin, "/v1/training-records", await _course_body(world, owner))
        path = f"/v1/training-records/{batch['items'][0]['id']}"
        if method == "PATCH":
            return Call("PATCH", path, {"hours": 2}, {"If-Match": "*"})
        return Call("GET", path)

    return maker


def _period() -> dict[str, str]:
    year = 2000 + next(_unique) % 25  # one period per evaluation: (station, period) is unique
    return {"period_from": f"{year}-01-01", "period_to": f"{year}-12-31"}


async def new_evaluation(world: World, owner: str) -> Call:
    return Call("POST", "/v1/evaluations", evaluation_body(world.own_station(owner), **_period()))


def on_evaluation(method: str) -> Maker:
    async def maker(world: World, owner: str) -> Call:
        body = evaluation_body(world.own_station(owner), **_period())
        path = f"/v1/evaluations/{(await created(world.admin, '/v1/evaluations', body))['id']}"
        if method == "PATCH":
            return Call("PATCH", path, {"note": "复核"}, {"If-Match": "*"})
        return Call("GET", path)

    return maker


async def new_survey(world: World, owner: str) -> Call:
    return Call("POST", "/v1/satisfaction-surveys", survey_body(world.own_station(owner)))


async def survey_get(world: World, owner: str) -> Call:
    survey = await created(
        world.admin, "/v1/satisfaction-surveys", survey_body(world.own_station(owner))
    )
    return Call("GET", f"/v1/satisfaction-surveys/{survey['id']}")


async def bulk_organisation(world: World, owner: str) -> Call:
    body = {"external_id": f"authz-{next(_unique)}", **organisation_body(uscc=_uscc())}
    return Call("POST", "/v1/bulk/organisations", body, {"Content-Type": "application/x-ndjson"})


async def a_bulk_job(world: World, owner: str) -> Call:
    line = {"external_id": f"authz-{next(_unique)}", **organisation_body(uscc=_uscc())}
    response = await world.admin.post(
        "/v1/bulk/organisations",
        content=orjson.dumps(line),
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 201, response.text
    return Call("GET", response.headers["Location"])


async def hsds_organization(world: World, owner: str) -> Call:
    return Call("GET", f"/v1/hsds/organizations/{world.own_organisation(owner)}")


async def hsds_service(world: World, owner: str) -> Call:
    listed = await world.admin.get(
        "/v1/hsds/services", params={"organization_id": world.own_organisation(owner)}
    )
    return Call("GET", f"/v1/hsds/services/{listed.json()['contents'][0]['id']}")


async def a_subscription(world: World, owner: str) -> str:
    """A webhook subscription made by the owner's binding (the bureau's for an unbound caller)."""
    body = {"url": "http://127.0.0.1:9/hook"}
    return (await created(world.steward(owner), "/v1/webhook-subscriptions", body))["id"]


def on_subscription(method: str, suffix: str = "") -> Maker:
    async def maker(world: World, owner: str) -> Call:
        return Call(
            method, f"/v1/webhook-subscriptions/{await a_subscription(world, owner)}{suffix}"
        )

    return maker


# --- the table ----------------------------------------------------------------------------------

OWN_ONLY = (OK, 403)  # the registry is readable: another's record is refused, not hidden
NEVER = (403, 403)
UNSEEN = (OK, 404)  # another's is not even seen
PROVIDER_SEES = (403, 404)  # an organisation sees the requests offered to it, acts on none
HIDDEN = (404, 404)  # none of it is the binding's to see
SEEN_NOT_CHANGED = (403, 404)  # its own is seen but not its to change; another's unseen

TABLE: dict[tuple[str, str], Row] = {
    # Reference data and reports: every binding reads all of it.
    ("GET", "/v1/divisions"): Row(get("/v1/divisions?level=district")),
    ("GET", "/v1/divisions/{code}"): Row(get("/v1/divisions/330106")),
    ("GET", "/v1/vocabularies"): Row(get("/v1/vocabularies")),
    ("GET", "/v1/reports/coverage"): Row(get("/v1/reports/coverage")),
    # Reports: aggregates for every binding; rows naming stations narrowed (tested elsewhere).
    ("GET", "/v1/reports/compliance"): Row(get("/v1/reports/compliance")),
    ("GET", "/v1/reports/targets"): Row(get("/v1/reports/targets")),
    ("GET", "/v1/reports/linkage"): Row(get("/v1/reports/linkage")),
    ("GET", "/v1/reports/volunteer-hours"): Row(get("/v1/reports/volunteer-hours")),
    ("GET", "/v1/reports/workforce"): Row(get("/v1/reports/workforce")),
    # Stations and offices: the station's own, or the bureau's.
    ("GET", "/v1/stations"): Row(get("/v1/stations")),
    ("POST", "/v1/stations"): Row(new_station, station=NEVER, organisation=NEVER),
    ("GET", "/v1/stations/{station_id}"): Row(station_get),
    ("PATCH", "/v1/stations/{station_id}"): Row(
        station_patch, station=OWN_ONLY, organisation=NEVER
    ),
    ("GET", "/v1/stations/{station_id}/network"): Row(
        station_network, station=UNSEEN, organisation=UNSEEN
    ),
    ("GET", "/v1/stations/{station_id}/compliance"): Row(
        station_compliance, station=UNSEEN, organisation=UNSEEN
    ),
    ("GET", "/v1/offices"): Row(get("/v1/offices")),
    ("POST", "/v1/offices"): Row(new_office, station=OWN_ONLY, organisation=NEVER),
    ("GET", "/v1/offices/{office_id}"): Row(office_get),
    ("PATCH", "/v1/offices/{office_id}"): Row(office_patch, station=OWN_ONLY, organisation=NEVER),
    ("GET", "/v1/offices/{office_id}/compliance"): Row(
        office_compliance, station=UNSEEN, organisation=UNSEEN
    ),
    # Partner registries: readable by all; changed by the bureau, the steward, the organisation.
    ("GET", "/v1/organisations"): Row(get("/v1/organisations")),
    ("POST", "/v1/organisations"): Row(
        post("/v1/organisations", lambda w, o: organisation_body(uscc=_uscc())),
        organisation=NEVER,
    ),
    ("GET", "/v1/organisations/{organisation_id}"): Row(
        read_one("/v1/organisations", an_organisation)
    ),
    ("PATCH", "/v1/organisations/{organisation_id}"): Row(
        patch_one("/v1/organisations", an_organisation, {"skills": ["casework"]}),
        station=OWN_ONLY,
        organisation=OWN_ONLY,
    ),
    # Bulk upsert: new records stewarded by the caller's binding (an organisation registers no
    # partners); a job is its client's own: one another client started is not seen by anybody.
    ("POST", "/v1/bulk/{resource}"): Row(bulk_organisation, organisation=NEVER),
    ("GET", "/v1/bulk/jobs/{job_id}"): Row(
        a_bulk_job, none=HIDDEN, station=HIDDEN, organisation=HIDDEN
    ),
    # The Open Referral view: a public directory, read by every binding alike.
    ("GET", "/v1/hsds"): Row(get("/v1/hsds")),
    ("GET", "/v1/hsds/organizations"): Row(get("/v1/hsds/organizations")),
    ("GET", "/v1/hsds/organizations/{organization_id}"): Row(hsds_organization),
    ("GET", "/v1/hsds/services"): Row(get("/v1/hsds/services")),
    ("GET", "/v1/hsds/services/{service_id}"): Row(hsds_service),
    ("GET", "/v1/universities"): Row(get("/v1/universities")),
    ("POST", "/v1/universities"): Row(
        post("/v1/universities", lambda w, o: university_body()), organisation=NEVER
    ),
    ("GET", "/v1/universities/{university_id}"): Row(read_one("/v1/universities", a_university)),
    ("PATCH", "/v1/universities/{university_id}"): Row(
        patch_one("/v1/universities", a_university, {"schools": ["社会学院"]}),
        station=OWN_ONLY,
        organisation=NEVER,
    ),
    ("GET", "/v1/social-workers"): Row(get("/v1/social-workers")),
    ("POST", "/v1/social-workers"): Row(
        post("/v1/social-workers", social_worker_of), station=OWN_ONLY, organisation=OWN_ONLY
    ),
    ("POST", "/v1/social-workers/search"): Row(search("/v1/social-workers/search")),
    ("GET", "/v1/social-workers/{social_worker_id:uuid}"): Row(
        read_one("/v1/social-workers", a_social_worker)
    ),
    ("PATCH", "/v1/social-workers/{social_worker_id:uuid}"): Row(
        patch_one("/v1/social-workers", a_social_worker, {"weekly_hours": 1}),
        station=OWN_ONLY,
        organisation=OWN_ONLY,
    ),
    ("GET", "/v1/social-workers/{social_worker_id:uuid}/contact"): Row(
        contact_of("/v1/social-workers", a_social_worker), station=UNSEEN, organisation=UNSEEN
    ),
    ("GET", "/v1/volunteers"): Row(get("/v1/volunteers")),
    ("POST", "/v1/volunteers"): Row(post("/v1/volunteers", lambda w, o: volunteer_body())),
    ("POST", "/v1/volunteers/search"): Row(search("/v1/volunteers/search")),
    ("GET", "/v1/volunteers/{volunteer_id:uuid}"): Row(read_one("/v1/volunteers", a_volunteer)),
    ("PATCH", "/v1/volunteers/{volunteer_id:uuid}"): Row(
        patch_one("/v1/volunteers", a_volunteer, {"hours_per_week": 3}),
        station=OWN_ONLY,
        organisation=OWN_ONLY,
    ),
    ("GET", "/v1/volunteers/{volunteer_id:uuid}/contact"): Row(
        contact_of("/v1/volunteers", a_volunteer), station=UNSEEN, organisation=UNSEEN
    ),
    ("GET", "/v1/volunteers/{volunteer_id}/service-records"): Row(volunteer_records),
    ("GET", "/v1/volunteer-teams"): Row(get("/v1/volunteer-teams")),
    ("POST", "/v1/volunteer-teams"): Row(
        post("/v1/volunteer-teams", team_of), organisation=OWN_ONLY
    ),
    ("GET", "/v1/volunteer-teams/{team_id}"): Row(read_one("/v1/volunteer-teams", a_team)),
    ("PATCH", "/v1/volunteer-teams/{team_id}"): Row(
        patch_one("/v1/volunteer-teams", a_team, {"capacity_people": 3}),
        station=OWN_ONLY,
        organisation=OWN_ONLY,
    ),
    ("GET", "/v1/volunteer-teams/{team_id}/members"): Row(members_list),
    ("GET", "/v1/volunteer-teams/{team_id}/members/{volunteer_id}"): Row(member("GET")),
    ("PUT", "/v1/volunteer-teams/{team_id}/members/{volunteer_id}"): Row(
        member("PUT"), station=OWN_ONLY, organisation=OWN_ONLY
    ),
    ("DELETE", "/v1/volunteer-teams/{team_id}/members/{volunteer_id}"): Row(
        member("DELETE"), station=OWN_ONLY, organisation=OWN_ONLY
    ),
    ("GET", "/v1/charity-resources"): Row(get("/v1/charity-resources")),
    ("POST", "/v1/charity-resources"): Row(
        post("/v1/charity-resources", lambda w, o: resource_body(w.own_organisation(o))),
        organisation=OWN_ONLY,
    ),
    ("GET", "/v1/charity-resources/{resource_id}"): Row(
        read_one("/v1/charity-resources", a_resource)
    ),
    ("PATCH", "/v1/charity-resources/{resource_id}"): Row(
        patch_one("/v1/charity-resources", a_resource, {"title": "新标题"}),
        station=OWN_ONLY,
        organisation=OWN_ONLY,
    ),
    # Linkages: seen by their ends, changed by the station's side.
    ("GET", "/v1/linkages"): Row(get("/v1/linkages")),
    ("POST", "/v1/linkages"): Row(
        post("/v1/linkages", new_linkage), station=OWN_ONLY, organisation=NEVER
    ),
    ("GET", "/v1/linkages/{linkage_id}"): Row(
        read_one("/v1/linkages", a_linkage), station=UNSEEN, organisation=UNSEEN
    ),
    ("PATCH", "/v1/linkages/{linkage_id}"): Row(
        patch_one("/v1/linkages", a_linkage, {"agreement_reference": "新协议"}),
        station=UNSEEN,
        organisation=PROVIDER_SEES,
    ),
    # Requests: the station's side acts; a provider sees those offered to it.
    ("GET", "/v1/resource-requests"): Row(get("/v1/resource-requests")),
    ("POST", "/v1/resource-requests"): Row(
        post(
            "/v1/resource-requests",
            lambda w, o: request_body(
                w.own_station(o), division_code=_township(w, o), location=None
            ),
        ),
        station=OWN_ONLY,
        organisation=NEVER,
    ),
    ("GET", "/v1/resource-requests/{request_id}"): Row(
        on_request("", method="GET"), station=UNSEEN, organisation=UNSEEN
    ),
    ("PATCH", "/v1/resource-requests/{request_id}"): Row(
        on_request("", {"title": "新标题"}, method="PATCH"),
        station=UNSEEN,
        organisation=PROVIDER_SEES,
    ),
    ("POST", "/v1/resource-requests/{request_id}/cancel"): Row(
        on_request("/cancel"), station=UNSEEN, organisation=PROVIDER_SEES
    ),
    ("POST", "/v1/resource-requests/{request_id}/close"): Row(
        on_request("/close", status="fulfilled"), station=UNSEEN, organisation=PROVIDER_SEES
    ),
    ("GET", "/v1/resource-requests/{request_id}/candidates"): Row(
        on_request("/candidates", method="GET"), station=UNSEEN, organisation=PROVIDER_SEES
    ),
    ("POST", "/v1/resource-requests/{request_id}/offers"): Row(
        on_request("/offers", {"top": 1}), station=UNSEEN, organisation=PROVIDER_SEES
    ),
    # Offers: the station's side and the provider's see them; each acts on its part.
    ("GET", "/v1/offers"): Row(get("/v1/offers")),
    ("GET", "/v1/offers/{offer_id}"): Row(on_offer(""), station=UNSEEN, organisation=UNSEEN),
    ("POST", "/v1/offers/{offer_id}/accept"): Row(
        on_offer("/accept"), station=UNSEEN, organisation=UNSEEN
    ),
    ("POST", "/v1/offers/{offer_id}/decline"): Row(
        on_offer("/decline"), station=UNSEEN, organisation=UNSEEN
    ),
    ("POST", "/v1/offers/{offer_id}/withdraw"): Row(
        on_offer("/withdraw"), station=UNSEEN, organisation=PROVIDER_SEES
    ),
    ("POST", "/v1/offers/{offer_id}/complete"): Row(
        on_offer("/complete", {"actual_quantity": 1}, status="accepted"),
        station=UNSEEN,
        organisation=PROVIDER_SEES,
    ),
    ("POST", "/v1/offers/{offer_id}/rate"): Row(
        a_completed_offer, station=UNSEEN, organisation=PROVIDER_SEES
    ),
    ("GET", "/v1/service-records.csv"): Row(get("/v1/service-records.csv")),
    # Supervision (R10) and training (R11): the station's own; an organisation what it gave.
    ("GET", "/v1/supervision-sessions"): Row(get("/v1/supervision-sessions")),
    ("POST", "/v1/supervision-sessions"): Row(new_session, station=OWN_ONLY, organisation=OWN_ONLY),
    ("GET", "/v1/supervision-sessions/{session_id}"): Row(
        on_session(""), station=UNSEEN, organisation=UNSEEN
    ),
    ("PATCH", "/v1/supervision-sessions/{session_id}"): Row(
        on_session("", {"summary": "更正", "correction_note": "更正"}, method="PATCH"),
        station=UNSEEN,
        organisation=UNSEEN,
    ),
    ("GET", "/v1/supervision-sessions/{session_id}/versions"): Row(
        on_session("/versions"), station=UNSEEN, organisation=UNSEEN
    ),
    ("GET", "/v1/supervision-sessions/{session_id}/versions/{version}"): Row(
        on_session("/versions/1"), station=UNSEEN, organisation=UNSEEN
    ),
    ("GET", "/v1/training-records"): Row(get("/v1/training-records")),
    ("POST", "/v1/training-records"): Row(new_course, station=OWN_ONLY, organisation=OWN_ONLY),
    ("GET", "/v1/training-records/{record_id}"): Row(
        on_training("GET"), station=UNSEEN, organisation=UNSEEN
    ),
    ("PATCH", "/v1/training-records/{record_id}"): Row(
        on_training("PATCH"), station=UNSEEN, organisation=UNSEEN
    ),
    # Evaluations (R17) are the bureau's; a station reads its own.
    ("GET", "/v1/evaluations"): Row(get("/v1/evaluations")),
    ("POST", "/v1/evaluations"): Row(new_evaluation, station=NEVER, organisation=NEVER),
    ("GET", "/v1/evaluations/{evaluation_id}"): Row(
        on_evaluation("GET"), station=UNSEEN, organisation=HIDDEN
    ),
    ("PATCH", "/v1/evaluations/{evaluation_id}"): Row(
        on_evaluation("PATCH"), station=SEEN_NOT_CHANGED, organisation=HIDDEN
    ),
    ("GET", "/v1/satisfaction-surveys"): Row(get("/v1/satisfaction-surveys")),
    ("POST", "/v1/satisfaction-surveys"): Row(new_survey, station=NEVER, organisation=NEVER),
    ("GET", "/v1/satisfaction-surveys/{survey_id}"): Row(
        survey_get, station=UNSEEN, organisation=HIDDEN
    ),
    # Batch allocation spans stations: the bureau's alone.
    ("GET", "/v1/allocation-runs"): Row(
        get("/v1/allocation-runs"), station=NEVER, organisation=NEVER
    ),
    ("POST", "/v1/allocation-runs"): Row(
        post("/v1/allocation-runs", lambda w, o: {}), station=NEVER, organisation=NEVER
    ),
    ("GET", "/v1/allocation-runs/{run_id}"): Row(run_get, station=NEVER, organisation=NEVER),
    ("POST", "/v1/allocation-runs/{run_id}/apply"): Row(
        run_apply, station=NEVER, organisation=NEVER
    ),
    # The change feed: every client reads it, narrowed to its binding's events (tested apart).
    ("GET", "/v1/events"): Row(get("/v1/events")),
    ("GET", "/v1/event-types"): Row(get("/v1/event-types")),
    # Webhook subscriptions belong to their binding: another's are not even seen.
    ("POST", "/v1/webhook-subscriptions"): Row(
        post("/v1/webhook-subscriptions", lambda w, o: {"url": "http://127.0.0.1:9/hook"})
    ),
    ("GET", "/v1/webhook-subscriptions"): Row(get("/v1/webhook-subscriptions")),
    ("GET", "/v1/webhook-subscriptions/{subscription_id}"): Row(
        on_subscription("GET"), station=UNSEEN, organisation=UNSEEN
    ),
    ("DELETE", "/v1/webhook-subscriptions/{subscription_id}"): Row(
        on_subscription("DELETE"), station=UNSEEN, organisation=UNSEEN
    ),
    ("POST", "/v1/webhook-subscriptions/{subscription_id}/pause"): Row(
        on_subscription("POST", "/pause"), station=UNSEEN, organisation=UNSEEN
    ),
    ("POST", "/v1/webhook-subscriptions/{subscription_id}/resume"): Row(
        on_subscription("POST", "/resume"), station=UNSEEN, organisation=UNSEEN
    ),
    ("POST", "/v1/webhook-subscriptions/{subscription_id}/rotate-secret"): Row(
        on_subscription("POST", "/rotate-secret"), station=UNSEEN, organisation=UNSEEN
    ),
    ("GET", "/v1/webhook-subscriptions/{subscription_id}/deliveries"): Row(
        on_subscription("GET", "/deliveries"), station=UNSEEN, organisation=UNSEEN
    ),
    # The audit trail: each auditor reads its binding's share (what, is tested elsewhere).
    ("GET", "/v1/audit-events"): Row(get("/v1/audit-events"), auditor=True),
}


def api_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, HEAD aside."""
    routes: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for each in contexts() if contexts else [route]:
            for method in getattr(each, "methods", None) or ():
                if method != "HEAD":
                    routes.add((method, each.path))
    return routes


def test_every_route_has_a_row(app):
    routes = api_routes(app)
    assert routes - OPEN_ROUTES - set(TABLE) == set(), "a route without a row in the table"
    assert set(TABLE) - routes == set(), "a row for a route that does not exist"
    assert OPEN_ROUTES <= routes


async def _client(app: FastAPI, services: Services, *scopes: Scope, **binding: Any) -> Any:
    issued = await create_client(services, name="authz", scopes=scopes, **binding)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {issued.api_key}"},
    )
    return client


@pytest.fixture
async def world(app, services, admin) -> World:
    stations = [
        (await created(admin, "/v1/stations", station_body(township)))["id"]
        for township in (BEISHAN, QINGBO)
    ]
    # the skill the factory requests require (a hard filter): offers to the top one find them
    held = ["casework", "elderly_care", "home_visits"]
    organisations = [
        (await created(admin, "/v1/organisations", organisation_body(uscc=_uscc(), skills=held)))[
            "id"
        ]
        for _ in range(2)
    ]
    built = World(services, admin, *stations, *organisations)
    built.university = (await created(admin, "/v1/universities", university_body()))["id"]
    for side, (station, organisation) in zip(
        "ab", zip(stations, organisations, strict=True), strict=True
    ):
        built.writers[f"station_{side}"] = await _client(
            app, services, *EVERY_SCOPE_BUT_AUDIT, station_id=uuid.UUID(station)
        )
        built.writers[f"organisation_{side}"] = await _client(
            app, services, *EVERY_SCOPE_BUT_AUDIT, organisation_id=uuid.UUID(organisation)
        )
    for side in "ab":  # A with O, B with P; each supervises its station too (R10)
        station, organisation = (
            (stations[0], organisations[0]) if side == "a" else (stations[1], organisations[1])
        )
        for kind in ("resource_partner", "supervision"):
            await created(
                admin,
                "/v1/linkages",
                linkage_body(station, "organisation", organisation, kind, ends_on=None),
            )
    return built


def _outcome(status: int) -> Expected:
    return OK if 200 <= status < 300 else status


@pytest.mark.parametrize("route", sorted(TABLE), ids=lambda route: f"{route[0]} {route[1]}")
async def test_the_binding_decides_the_answer(app, services, world, route):
    row = TABLE[route]
    scopes = (Scope.AUDIT,) if row.auditor else EVERY_SCOPE_BUT_AUDIT
    wrong = []
    for binding, bound_to in (
        (NONE, {}),
        (STATION, {"station_id": uuid.UUID(world.station_a)}),
        (ORGANISATION, {"organisation_id": uuid.UUID(world.organisation_o)}),
    ):
        world.binding = binding
        async with await _client(app, services, *scopes, **bound_to) as caller:
            for owner in ("own", "other"):
                call = await row.make(world, owner)
                response = await caller.request(
                    call.method, call.path, json=call.body, headers=call.headers
                )
                expected = row.expected(binding, owner)
                if _outcome(response.status_code) != expected:
                    wrong.append(
                        f"{binding}/{owner}: expected {expected}, got {response.status_code}"
                        f" {response.text[:300]}"
                    )
                elif response.status_code == 403:
                    # The binding is named; offers keep their older code for the provider.
                    codes = {f"outside_{binding}_binding", "station_only"}
                    assert response.json()["code"] in codes, response.text
    assert not wrong, "\n".join(wrong)
