"""/v1/stations/{station_id}/network: a station's five-society picture."""

from __future__ import annotations

from fastapi import APIRouter

from service.http.routing import ApiRoute

router = APIRouter(prefix="/v1/stations", tags=["linkages"], route_class=ApiRoute)
