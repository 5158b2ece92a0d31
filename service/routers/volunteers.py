"""/v1/volunteers."""

from __future__ import annotations

from fastapi import APIRouter

from service.http.routing import ApiRoute

router = APIRouter(prefix="/v1/volunteers", tags=["volunteers"], route_class=ApiRoute)
