"""The route class every API route uses, and the dependencies every handler shares."""

from __future__ import annotations

import email.message
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any
from urllib.parse import unquote

import orjson
from fastapi import Depends, Header, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from service.http.problems import ProblemError
from service.logging import request_id_var
from service.schemas.common import NoBody
from service.settings import Settings
from service.usecases.common import Services
from service.usecases.idempotency import IdempotencyKey


class StrictJsonRequest(Request):
    """Parses JSON with orjson, which refuses lone surrogates, NaN and overlong numbers."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())
        return self._json


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _has_body(request: Request) -> bool:
    headers = request.headers
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


def _query_names(dependant: Dependant) -> Iterator[str]:
    for field in dependant.query_params:
        yield field.alias
    for dependency in dependant.dependencies:
        yield from _query_names(dependency)


class ApiRoute(APIRoute):
    """Refuses unknown query parameters (400) and bodies that are not JSON (415)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        allowed = frozenset(_query_names(self.dependant))
        takes_body = self.body_field is not None

        async def route_handler(request: Request) -> Response:
            unknown = sorted(set(request.query_params) - allowed)
            if unknown:
                raise ProblemError(
                    400,
                    "unknown_query_parameter",
                    f"unknown query parameter(s): {', '.join(unknown)}",
                    extra={"allowed": sorted(allowed)},
                )
            if (
                takes_body
                and _has_body(request)
                and not _is_json(request.headers.get("content-type"))
            ):
                raise ProblemError(
                    415,
                    "unsupported_media_type",
                    "send the body as application/json",
                )
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return route_handler


async def get_services(request: Request) -> Services:
    """The process's use-case services."""
    services: Services = request.app.state.services
    return services


async def get_settings(request: Request) -> Settings:
    """The process's settings."""
    settings: Settings = request.app.state.settings
    return settings


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (a UUID is best). A retry with the same key and body"
        " returns the stored response; kept at least 24 hours.",
    ),
]


def idempotency_key(value: str | None, *, request: Request, body: Any) -> IdempotencyKey | None:
    """The request's idempotency key with its fingerprint, if the caller sent one."""
    if value is None:
        return None
    return IdempotencyKey.for_request(
        value, method=request.method, path=request.url.path, body=body
    )


async def action_key(request: Request, key: IdempotencyKeyHeader = None) -> IdempotencyKey | None:
    """The `Idempotency-Key` of an action without a body (pause, accept, apply …), if sent."""
    return idempotency_key(key, request=request, body=NoBody())


ActionKeyDep = Annotated[IdempotencyKey | None, Depends(action_key)]


async def access_purpose(
    value: Annotated[
        str,
        Header(
            alias="X-Access-Purpose",
            min_length=2,
            max_length=600,
            pattern=r"^[\x20-\x7e]+$",
            description="Why personal data is read, recorded in the audit trail. Percent-encode"
            " non-ASCII text (UTF-8), e.g. `%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD` for 核实身份.",
        ),
    ],
) -> str:
    """The declared purpose of a personal-data read, decoded."""
    try:
        purpose = unquote(value, errors="strict").strip()
    except UnicodeDecodeError:
        purpose = ""
    if not 2 <= len(purpose) <= 200 or not purpose.isprintable():
        raise ProblemError(
            400,
            "invalid_access_purpose",
            "X-Access-Purpose must state, in 2 to 200 printable characters, why the data is read",
        )
    return purpose


AccessPurpose = Annotated[str, Depends(access_purpose)]


def current_request_id() -> str:
    """The id of the request being answered (for the audit trail)."""
    return request_id_var.get() or ""
