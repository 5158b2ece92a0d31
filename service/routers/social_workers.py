"""/v1/social-workers."""

from __future__ import annotations

from fastapi import APIRouter

from service.http.routing import ApiRoute

router = APIRouter(prefix="/v1/social-workers", tags=["social-workers"], route_class=ApiRoute)
