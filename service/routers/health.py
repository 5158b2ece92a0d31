"""Probes and metrics: open, no API key."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from service.http.problems import DATABASE_RETRY_AFTER_SECONDS, ProblemError
from service.http.responses import json_response, problems
from service.http.routing import ApiRoute, ServicesDep

router = APIRouter(tags=["operations"], route_class=ApiRoute)


class Health(BaseModel):
    """Probe answer."""

    status: str


@router.get(
    "/healthz", response_model=Health, responses=problems((400, 500)), operation_id="liveness"
)
async def liveness() -> Response:
    """Liveness: the process answers (touches no dependency)."""
    return json_response(Health(status="ok"))


@router.get(
    "/readyz", response_model=Health, responses=problems((400, 500, 503)), operation_id="readiness"
)
async def readiness(services: ServicesDep) -> Response:
    """Readiness: the database answers a query within 2 s (503 when it does not)."""
    if not await services.database.is_reachable():
        raise ProblemError(
            503,
            "database_unavailable",
            "the database cannot be reached",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    return json_response(Health(status="ready"))


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus metrics in the text exposition format."""
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
