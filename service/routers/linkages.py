"""/v1/linkages."""

from __future__ import annotations

from fastapi import APIRouter

from service.http.routing import ApiRoute

router = APIRouter(prefix="/v1/linkages", tags=["linkages"], route_class=ApiRoute)
