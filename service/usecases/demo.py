"""`linkage demo`: load the demo sample through the same use cases the API runs (every rule
applies), noting each record; `linkage demo --remove` takes out exactly those records."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta

import orjson

from service.db.repositories import demo as repository
from service.domain import demo
from service.domain.access import Caller, Scope
from service.domain.matching import CHINA_TIME
from service.schemas.linkages import LinkageCreate
from service.schemas.partners import OrganisationCreate
from service.schemas.resource_requests import ResourceRequestCreate
from service.schemas.stations import OfficeCreate, StationCreate
from service.schemas.volunteers import VolunteerCreate
from service.usecases.common import Services, unit_of_work
from service.usecases.idempotency import CreationResult
from service.usecases.linkages import create_linkage
from service.usecases.offices import create_office
from service.usecases.organisations import create_organisation
from service.usecases.resource_requests import create_request
from service.usecases.stations import create_station
from service.usecases.volunteers import create_volunteer

CALLER = Caller(client_id=demo.DEMO_CLIENT_ID, name="linkage demo", scopes=frozenset({Scope.ADMIN}))
NO_REPLAY = timedelta(hours=24)  # no idempotency key is given: nothing is stored


async def _is_loaded(services: Services) -> bool:
    async with unit_of_work(services.database) as session:
        return bool(await repository.loaded(session))


async def load_demo(services: Services) -> dict[str, int]:
    """Load the sample (once); how many records of each type it made. A rule that refuses a
    record (a station registered already in one of its townships, say) stops the load with
    that error; what was made before it is noted, so `remove_demo` still takes it out."""
    if await _is_loaded(services):
        raise demo.already_loaded()
    made: Counter[str] = Counter()

    async def make(
        record_type: str, create: Callable[..., Awaitable[CreationResult]], data: object
    ) -> uuid.UUID:
        result = await create(services, caller=CALLER, data=data, key=None, ttl=NO_REPLAY)
        record_id = uuid.UUID(orjson.loads(result.body)["id"])
        async with unit_of_work(services.database) as session:
            await repository.record(session, record_type, record_id)
        made[record_type] += 1
        return record_id

    stations: dict[str, uuid.UUID] = {}
    for body in demo.stations():
        data = StationCreate.model_validate(body)
        stations[body["township_code"]] = await make("station", create_station, data)
    for body in demo.offices():
        await make("office", create_office, OfficeCreate.model_validate(body))
    agency, *_ = [
        await make("organisation", create_organisation, OrganisationCreate.model_validate(body))
        for body in demo.organisations()
    ]
    today = services.clock().astimezone(CHINA_TIME).date()
    for station_id in stations.values():
        body = demo.operating_contract(station_id, agency, today)
        await make("linkage", create_linkage, LinkageCreate.model_validate(body))
    for body in demo.volunteers():
        await make("volunteer", create_volunteer, VolunteerCreate.model_validate(body))
    for request in demo.requests(services.clock()):
        body = request.body | {"station_id": str(stations[request.township])}
        await make("resource_request", create_request, ResourceRequestCreate.model_validate(body))
    return dict(made)


async def remove_demo(services: Services) -> dict[str, int]:
    """Take the sample out, all or nothing; how many records of each type went. Refused (409
    `demo_data_in_use`) while records that are not the demo's refer to demo records."""
    async with unit_of_work(services.database) as session:
        ids = await repository.loaded(session)
        reasons = await repository.references(session, ids)
        if reasons:
            raise demo.in_use(reasons)
        if not await repository.remove(session, ids):
            raise demo.in_use(["records of other kinds (a foreign key refused the removal)"])
    return {record_type: len(found) for record_type, found in ids.items()}
