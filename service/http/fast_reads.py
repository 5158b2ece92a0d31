"""`GET /v1/stations/{id}`, the hottest read, answered without the per-request framework work.

Measured with `make bench`: FastAPI's routing, dependency resolution and middleware layers cost
several times the query itself. This handler serves only the plain success path – a valid key
with `registry:read`, an existing station, no query string – through the same use case and
response helper as the route; everything else (no key, a bad key, an unknown id …) falls
through to the FastAPI route, which owns every error answer. `tests/api/test_fast_reads.py`
holds the two paths to the same bytes.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

from service.domain.access import Scope as AccessScope
from service.domain.errors import NotFound
from service.http.preconditions import IF_NONE_MATCH_MAX_LENGTH
from service.http.problems import ProblemError
from service.http.responses import versioned_response
from service.usecases.stations import get_station

if TYPE_CHECKING:
    from fastapi import FastAPI

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_STATION = re.compile(rf"/v1/stations/({_UUID})")
_BEARER = b"bearer "


@dataclass(frozen=True, slots=True)
class RouteTemplate:
    """What the request middleware reads to label metrics, as a framework route would."""

    path: str


STATION_ROUTE = RouteTemplate("/v1/stations/{station_id}")


class FastReads:
    """Serves the success path of the hot reads; hands every other request to `app`."""

    def __init__(self, app: ASGIApp, *, owner: FastAPI) -> None:
        self.app = app
        self.owner = owner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope["query_string"]:
            match = _STATION.fullmatch(scope["path"])
            if match is not None and await self._station(scope, receive, send, match.group(1)):
                return
        await self.app(scope, receive, send)

    async def _station(self, scope: Scope, receive: Receive, send: Send, raw_id: str) -> bool:
        authorization = if_none_match = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                if authorization is not None:
                    return False  # repeated: leave the reading of it to the framework
                authorization = value
            elif name == b"if-none-match":
                if if_none_match is not None:
                    return False
                if_none_match = value.decode("latin-1")
        if authorization is None or authorization[:7].lower() != _BEARER:
            return False
        if if_none_match is not None and len(if_none_match) > IF_NONE_MATCH_MAX_LENGTH:
            return False
        try:
            station_id = uuid.UUID(raw_id)
            api_key = authorization[7:].decode("ascii").strip()
        except (ValueError, UnicodeDecodeError):
            return False
        state = self.owner.state
        caller = await state.authenticator.authenticate(api_key)
        if caller is None or not caller.has(AccessScope.REGISTRY_READ):
            return False
        try:
            await state.rate_limiter.admit(scope, client_id=str(caller.client_id))
        except ProblemError:
            return False  # the route answers the 429 (the verdict is kept in the scope)
        try:
            station = await get_station(state.services, station_id=station_id)
        except NotFound:
            return False
        scope["route"] = STATION_ROUTE
        scope.setdefault("state", {})["client_id"] = caller.client_id
        response = versioned_response(station, version=station.version, if_none_match=if_none_match)
        await response(scope, receive, send)
        return True
