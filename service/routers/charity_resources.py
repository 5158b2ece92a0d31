"""/v1/charity-resources."""

from __future__ import annotations

from fastapi import APIRouter

from service.http.routing import ApiRoute

router = APIRouter(prefix="/v1/charity-resources", tags=["charity-resources"], route_class=ApiRoute)
