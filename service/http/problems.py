"""One place that turns every error into RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, cast

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from service.db.availability import DatabaseUnavailable
from service.domain.errors import (
    Conflict,
    DomainError,
    FieldProblem,
    Forbidden,
    NotFound,
    RuleViolation,
    StaleVersion,
)
from service.logging import request_id_var

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://linkage.hangzhou.gov.cn/problems/"

logger = logging.getLogger("linkage.errors")

DOMAIN_STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Conflict: 409,
    StaleVersion: 412,
    Forbidden: 403,
    RuleViolation: 422,
}


class ProblemError(Exception):
    """An HTTP-level problem raised by the edge itself (auth, parameters, preconditions)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[FieldProblem] = (),
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.headers = dict(headers or {})
        self.errors = tuple(errors)
        self.extra = dict(extra or {})


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str,
    rule: str | None = None,
    errors: Sequence[FieldProblem] = (),
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render a problem; the request id comes from the request's context."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        "request_id": request_id_var.get() or "",
    }
    if rule is not None:
        body["rule"] = rule
    if errors:
        body["errors"] = [
            {"field": e.field, "message": e.message, "code": e.code}
            | ({"rule": e.rule} if e.rule else {})
            for e in errors
        ]
    if extra:
        body.update({k: v for k, v in extra.items() if k not in body})
    return Response(
        orjson.dumps(body, default=str),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=dict(headers or {}),
    )


def _instance(request: Request) -> str:
    return request.url.path


async def _domain_error(request: Request, exc: Exception) -> Response:
    exc = cast(DomainError, exc)
    status = next(s for cls, s in DOMAIN_STATUS.items() if isinstance(exc, cls))
    return problem_response(
        status=status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        instance=_instance(request),
        rule=exc.rule,
        errors=exc.errors,
        extra=exc.extra,
    )


async def _problem_error(request: Request, exc: Exception) -> Response:
    exc = cast(ProblemError, exc)
    return problem_response(
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        instance=_instance(request),
        errors=exc.errors,
        extra=exc.extra,
        headers=exc.headers,
    )


_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "content_too_large",
    415: "unsupported_media_type",
}


async def _http_exception(request: Request, exc: Exception) -> Response:
    exc = cast(StarletteHTTPException, exc)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no resource at {request.url.path}"
        if request.url.path.endswith("/") and _allowed_methods(request, request.url.path[:-1]):
            detail += f" (without the final slash: {request.url.path[:-1]})"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(
        status=exc.status_code,
        code=_HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}"),
        title=HTTPStatus(exc.status_code).phrase,
        detail=detail,
        instance=_instance(request),
        headers=headers,
    )


def _allowed_methods(request: Request, path: str | None = None) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    scope = {**request.scope, "path": path if path is not None else request.url.path}
    return [
        method
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]


def _field_name(location: Sequence[str | int]) -> str:
    name = ""
    for part in location:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else part
    return name


async def _validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 replaced: bad JSON or parameters 400, a bad path 404, a bad body 422."""
    exc = cast(RequestValidationError, exc)
    raw = list(exc.errors())
    errors = [
        FieldProblem(
            field=_field_name(error.get("loc", ())),
            message=str(error.get("msg", "invalid")),
            code=str(error.get("type", "invalid")),
        )
        for error in raw
    ]
    where = {str(error.get("loc", ("body",))[0]) for error in raw}
    if any(
        error.get("type") == "missing" and tuple(error.get("loc", ())) == ("header", "If-Match")
        for error in raw
    ):
        status, code = 428, "precondition_required"
        detail = "send If-Match with the ETag of the version you are changing"
    elif any(error.get("type") == "json_invalid" for error in raw):
        status, code, detail = 400, "malformed_json", "the request body is not valid JSON"
    elif where == {"path"}:
        status, code = 404, "not_found"
        detail = f"no resource at {request.url.path}"
    elif "body" not in where:
        status, code = 400, "invalid_parameter"
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    else:
        status, code = 422, "validation_failed"
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
    return problem_response(
        status=status,
        code=code,
        title=HTTPStatus(status).phrase,
        detail=detail,
        instance=_instance(request),
        errors=errors,
    )


DATABASE_RETRY_AFTER_SECONDS = 5


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    # One line, no trace: during an outage every request fails alike.
    logger.error(
        "database unavailable",
        extra={"path": request.url.path, "error": f"{type(exc.__cause__ or exc).__name__}: {exc}"},
    )
    return database_unavailable_response(request.url.path)


def database_unavailable_response(path: str) -> Response:
    """503 with Retry-After: the database is down, unreachable or too slow; nothing changed."""
    return problem_response(
        status=503,
        code="database_unavailable",
        title="Service Unavailable",
        detail="the database did not answer in time; try again shortly",
        instance=path,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Route every known error type to its problem renderer."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(DatabaseUnavailable, _database_unavailable)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(InterfaceError, _database_unavailable)
    app.add_exception_handler(Exception, _internal_error)


async def _internal_error(request: Request, exc: Exception) -> Response:
    """Answer an unexpected fault; the request middleware logs it with its trace."""
    return Response(
        internal_error_body(request.url.path), status_code=500, media_type=PROBLEM_MEDIA_TYPE
    )


def internal_error_body(path: str) -> bytes:
    """The body of a 500: nothing but the request id to quote to the operators."""
    response = problem_response(
        status=500,
        code="internal_error",
        title="Internal Server Error",
        detail="an unexpected error occurred; quote the request id when reporting it",
        instance=path,
    )
    return bytes(response.body)
