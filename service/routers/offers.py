"""/v1/offers."""

from __future__ import annotations

from fastapi import APIRouter

from service.http.routing import ApiRoute

router = APIRouter(prefix="/v1/offers", tags=["offers"], route_class=ApiRoute)
