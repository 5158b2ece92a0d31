"""/v1/volunteer-teams."""

from __future__ import annotations

from fastapi import APIRouter

from service.http.routing import ApiRoute

router = APIRouter(prefix="/v1/volunteer-teams", tags=["volunteer-teams"], route_class=ApiRoute)
