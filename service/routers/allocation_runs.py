"""/v1/allocation-runs."""

from __future__ import annotations

from fastapi import APIRouter

from service.http.routing import ApiRoute

router = APIRouter(prefix="/v1/allocation-runs", tags=["allocation-runs"], route_class=ApiRoute)
