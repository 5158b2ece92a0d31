"""Request context as one pure ASGI middleware: request id, body limit, metrics, access log, 500s.

Pure ASGI rather than Starlette's BaseHTTPMiddleware, which costs most of a fast route's
throughput; see STYLE.md's measurements.
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.db.availability import DatabaseUnavailable
from service.http.metrics import Metrics
from service.http.problems import (
    PROBLEM_MEDIA_TYPE,
    database_unavailable_response,
    internal_error_body,
    problem_response,
)
from service.http.rate_limits import verdict_of
from service.logging import request_id_var

access_logger = logging.getLogger("linkage.access")
error_logger = logging.getLogger("linkage.errors")

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")


class BodyTooLarge(HTTPException):
    """The request body exceeds the configured limit (an HTTPException so routes re-raise it)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")


class RequestContextMiddleware:
    """Gives every request an id, answers every failure with a problem, and measures it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        max_body_bytes: int,
        access_log: bool,
        max_bulk_body_bytes: int = 64 * 1_048_576,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.max_bulk_body_bytes = max_bulk_body_bytes  # POST /v1/bulk/…: whole registers
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = _request_id(scope)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers.append("x-request-id", request_id)
                verdict = verdict_of(scope)
                if verdict is not None:
                    for name, value in verdict.headers():
                        headers.raw.append((name, value))
            await send(message)

        received = 0
        bulk = str(scope.get("path", "")).startswith("/v1/bulk/")
        limit = self.max_bulk_body_bytes if bulk else self.max_body_bytes

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        self.metrics.in_flight.inc()
        try:
            if _declared_length(scope) > limit:
                raise BodyTooLarge(limit)
            await self.app(scope, limited_receive, send_with_id)
        except BodyTooLarge as exc:
            if not response_started:
                await _send_too_large(send_with_id, scope, str(exc.detail))
        except DatabaseUnavailable:  # raised ahead of the framework
            error_logger.error("database unavailable", extra={"path": scope["path"]})
            if not response_started:
                response = database_unavailable_response(scope["path"])
                await response(scope, receive, send_with_id)
        except Exception:
            error_logger.exception("unhandled error", extra={"path": scope["path"]})
            if not response_started:
                await _send_body(send_with_id, 500, internal_error_body(scope["path"]))
        finally:
            self.metrics.in_flight.dec()
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            self.metrics.observe(scope["method"], template, status, elapsed)
            if self.access_log:
                access_logger.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "client_id": str(scope.get("state", {}).get("client_id", "")) or None,
                    },
                )
            request_id_var.reset(token)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and _VALID_REQUEST_ID.match(value):
            return str(value.decode("ascii"))
    return secrets.token_hex(16)  # 128 random bits, as uuid4().hex, at a third of the cost


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def _send_body(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _send_too_large(send: Send, scope: Scope, detail: str) -> None:
    response = problem_response(
        status=413,
        code="content_too_large",
        title="Content Too Large",
        detail=detail,
        instance=scope["path"],
    )
    await _send_body(send, 413, bytes(response.body))
