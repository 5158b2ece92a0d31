"""/v1/resource-requests."""

from __future__ import annotations

from fastapi import APIRouter

from service.http.routing import ApiRoute

router = APIRouter(prefix="/v1/resource-requests", tags=["resource-requests"], route_class=ApiRoute)
