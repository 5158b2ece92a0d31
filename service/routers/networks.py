"""/v1/stations/{station_id}/network: a station's five-society picture."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from service.http.responses import READ_ONE, json_response, problems
from service.http.routing import ApiRoute, ServicesDep
from service.http.security import ReadCaller
from service.schemas.linkages import NetworkRead
from service.usecases import networks

router = APIRouter(prefix="/v1/stations", tags=["linkages"], route_class=ApiRoute)


@router.get(
    "/{station_id}/network",
    response_model=NetworkRead,
    responses=problems(READ_ONE),
    operation_id="get_station_network",
    summary="Get a station's five-society network",
)
async def get_station_network(
    station_id: uuid.UUID, caller: ReadCaller, services: ServicesDep
) -> Response:
    """A station's partners by type, active linkages, social workers and offices (scope
    `registry:read`)."""
    network = await networks.station_network(services, caller=caller, station_id=station_id)
    return json_response(network)
