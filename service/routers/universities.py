"""/v1/universities."""

from __future__ import annotations

from fastapi import APIRouter

from service.http.routing import ApiRoute

router = APIRouter(prefix="/v1/universities", tags=["universities"], route_class=ApiRoute)
