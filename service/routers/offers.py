"""Offers (/v1/resource-requests/{id}/offers, /v1/offers/{id}/…) and the volunteer-hour ledger."""

from __future__ import annotations

from fastapi import APIRouter

from service.http.routing import ApiRoute

router = APIRouter(prefix="/v1", tags=["offers"], route_class=ApiRoute)
