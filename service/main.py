"""The application factory: routers, errors, middleware, and a lifespan that owns the engine."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp

from service.db.engine import Database, build_engine
from service.domain.matching import Component
from service.domain.partners import CertificateLevel
from service.http.compiled_routes import CompiledRoutes
from service.http.docs import install_docs
from service.http.metrics import Metrics
from service.http.middleware import RequestContextMiddleware
from service.http.openapi import build_openapi
from service.http.openapi_text import DESCRIPTION, TITLE
from service.http.pagination import PageTokenSigner
from service.http.problems import install_problem_handlers
from service.http.rate_limits import RateLimiter
from service.pii import PiiVault
from service.relay import Relay, webhook_policy
from service.routers import (
    allocation_runs,
    audit,
    bulk,
    charity_resources,
    compliance,
    divisions,
    evaluations,
    events,
    health,
    hsds,
    linkages,
    matching,
    networks,
    offers,
    offices,
    organisations,
    problem_types,
    reports,
    resource_requests,
    social_workers,
    stations,
    supervision_sessions,
    training_records,
    universities,
    volunteer_teams,
    volunteers,
    web,
)
from service.settings import Settings, get_settings
from service.usecases.clients import Authenticator
from service.usecases.common import Services
from service.usecases.housekeeping import keep_house

logger = logging.getLogger("linkage")


def _package_version() -> str:
    try:
        return version("five-society-linkage")
    except PackageNotFoundError:
        return "0.0.0"


def tune_garbage_collector() -> None:
    """Freeze what start-up left alive and collect young objects less often.

    A page of stations allocates thousands of short-lived objects; with 64 requests in flight
    the default thresholds run full collections over every module, schema and route the process
    holds. Measured with bench/ on GET /v1/stations: +55% requests per second.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the database for the app's lifetime; close it on shutdown."""
    settings: Settings = app.state.settings
    database = Database(build_engine(settings))
    await database.open_read_pool(settings)
    services = Services(
        database=database,
        vault=PiiVault.from_settings(settings),
        match_weights={Component(k): v for k, v in settings.match_weights.items()},
        match_radius_km=settings.match_radius_km,
        match_totals_cache_seconds=settings.match_totals_cache_seconds,
        offer_hold_hours=settings.offer_hold_hours,
        run_lease_seconds=settings.allocation_lease_seconds,
        training_thresholds={
            CertificateLevel(level): hours
            for level, hours in settings.training_hours_thresholds.items()
        },
        webhooks=webhook_policy(settings),
    )
    app.state.services = services
    app.state.page_tokens = PageTokenSigner.from_settings(settings)
    app.state.rate_limiter = RateLimiter.from_settings(settings, app.state.metrics)
    app.state.authenticator = Authenticator(services, ttl=settings.auth_cache_seconds)
    housekeeper = asyncio.create_task(
        keep_house(services, interval_seconds=settings.housekeeping_interval_seconds),
        name="housekeeping",
    )
    relay = Relay(services, settings)
    app.state.relay = relay
    relaying = (
        asyncio.create_task(relay.run(), name="webhook-relay") if settings.relay_enabled else None
    )
    if settings.tune_gc:
        tune_garbage_collector()
    try:
        yield
    finally:
        for task in (housekeeper, relaying):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await relay.close()
        await app.state.rate_limiter.close()
        await database.dispose()


def _openapi(app: FastAPI, settings: Settings) -> dict[str, Any]:
    """The OpenAPI document, built once."""
    if not app.openapi_schema:
        app.openapi_schema = build_openapi(
            app, version=app.version, server_url=settings.public_url.rstrip("/")
        )
    return app.openapi_schema


class LinkageApp(FastAPI):
    """FastAPI with our request context outermost and the compiled GET routes in front of it."""

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        app = super().build_middleware_stack()
        return RequestContextMiddleware(
            CompiledRoutes(app, owner=self) if settings.compiled_reads else app,
            metrics=self.state.metrics,
            max_body_bytes=settings.max_body_bytes,
            max_bulk_body_bytes=settings.max_bulk_body_bytes,
            access_log=settings.access_log,
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI app; nothing connects until its lifespan starts."""
    settings = settings or get_settings()
    app = LinkageApp(
        title=TITLE,
        version=_package_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=lambda route: route.name,
        # No redirects to the slash-less path: Starlette builds them from the Host header,
        # which the caller controls. `/v1/stations/` is a 404 that names the right path.
        redirect_slashes=False,
        # No OpenTelemetry here (metrics are Prometheus): asking on every request whether a
        # provider is configured cost 2% of a read (bench/).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_docs(app)
    app.state.settings = settings
    metrics = Metrics(version=app.version)
    app.state.metrics = metrics
    install_problem_handlers(app)
    for module in (
        stations,
        offices,
        organisations,
        universities,
        social_workers,
        volunteers,
        volunteer_teams,
        charity_resources,
        linkages,
        networks,
        resource_requests,
        matching,
        offers,
        allocation_runs,
        divisions,
        reports,
        problem_types,
        audit,
        health,
        supervision_sessions,
        training_records,
        evaluations,
        compliance,
        events,
        web,
        bulk,
        hsds,
    ):
        app.include_router(module.router)
    app.openapi = lambda: _openapi(app, settings)  # type: ignore[method-assign]
    return app
