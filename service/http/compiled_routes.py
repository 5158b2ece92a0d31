"""Every GET route answered from its own FastAPI definition, without the framework's request work.

Measured with `make bench`: for a read, FastAPI's routing through included routers, its five
middleware layers and its general dependency solver cost twice the query itself. At start-up this
module compiles each GET route's dependency tree – the same `Dependant` FastAPI built from the
handler's signature – into a flat plan: the parameters to validate (with FastAPI's own model
fields, so the same coercions and constraints) and the calls to make, in FastAPI's order.

A request is answered here only when the compiled path would do exactly what FastAPI does:
- the route FastAPI would pick (same order, same patterns) is a compiled GET route;
- no dependency override is installed (tests swap dependencies; the framework honours them);
- every query name is one the route reads, and every parameter is valid.

Anything else – an unknown or invalid parameter, a route with a body, a background task, a
generator dependency, a HEAD – goes to FastAPI untouched, and nothing has run yet (parameters are
all checked before the first dependency is called), so a rate limit is never charged twice. Errors
raised by dependencies and handlers go through the app's own exception handlers, wrapped by the same
Starlette middleware classes the framework uses. `tests/api/test_compiled_routes.py` holds both
paths to the same bytes on every GET route of the contract.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_type_hints

from fastapi._compat import field_annotation_is_sequence
from fastapi.dependencies.models import Dependant, _get_cache_key
from fastapi.dependencies.utils import (
    _get_param_aliases,
    _get_param_model,
    _is_json_field,
    _validate_value_with_model_field,
)
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic_core import PydanticUndefined as _UNDEFINED
from starlette._utils import get_route_path
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, QueryParams
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from service.http.routing import StrictJsonRequest, query_names

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi._compat import ModelField

_NO_QUERY = QueryParams("")


class NotCompilable(Exception):  # noqa: N818 - a reason, not an error
    """A route uses something only the framework handles; it stays with FastAPI."""


@dataclass(frozen=True, slots=True)
class _Param:
    field: ModelField
    aliases: tuple[str, ...]
    location: str  # "path", "query", "header" or "cookie"
    sequence: bool


@dataclass(frozen=True, slots=True)
class _Call:
    """One dependency call (or the endpoint, last), after its own sub-dependencies."""

    call: Callable[..., Any]
    is_coroutine: bool
    params: tuple[_Param, ...]
    request_names: tuple[str, ...]
    children: tuple[tuple[str, int], ...]  # (argument name, index of the call answering it)
    cache_key: Any
    use_cache: bool


def _is_sequence(field: ModelField) -> bool:
    """Read as a list (`?a=1&a=2`), as FastAPI decides it."""
    return not _is_json_field(field) and field_annotation_is_sequence(field.field_info.annotation)


def _params(dependant: Dependant) -> tuple[_Param, ...]:
    found = []
    for location, fields in (
        ("path", dependant.path_params),
        ("query", dependant.query_params),
        ("header", dependant.header_params),
        ("cookie", dependant.cookie_params),
    ):
        for field in fields:
            if _get_param_model(field) is not None:
                raise NotCompilable("a parameter model")
            aliases = tuple(alias for _, alias in _get_param_aliases(field))
            found.append(_Param(field, aliases, location, _is_sequence(field)))
    return tuple(found)


def _is_coroutine(call: Callable[..., Any]) -> bool:
    if inspect.isroutine(call):
        return inspect.iscoroutinefunction(call)
    if inspect.isclass(call):
        return False
    return inspect.iscoroutinefunction(getattr(call, "__call__", None))  # noqa: B004


def _plan(dependant: Dependant, calls: list[_Call]) -> int:
    """Append `dependant`'s calls in FastAPI's order (sub-dependencies first, depth first, a
    shared one visited again like the framework does); the index of its own call."""
    if (
        dependant.body_params
        or dependant.background_tasks_param_name
        or dependant.response_param_name
        or dependant.websocket_param_name
        or dependant.security_scopes_param_name
        or dependant.own_oauth_scopes
        or getattr(dependant, "concurrency", None) is not None
    ):
        raise NotCompilable("a body, a background task, a response, a socket or OAuth scopes")
    call = dependant.call
    if call is None:
        raise NotCompilable("no callable")
    if inspect.isgeneratorfunction(call) or inspect.isasyncgenfunction(call):
        raise NotCompilable("a dependency with yield")
    dunder_call = getattr(call, "__call__", None)  # noqa: B004
    if inspect.isgeneratorfunction(dunder_call) or inspect.isasyncgenfunction(dunder_call):
        raise NotCompilable("a dependency with yield")
    children = [(sub.name or "", _plan(sub, calls)) for sub in dependant.dependencies]
    request_names = tuple(
        name
        for name in (dependant.request_param_name, dependant.http_connection_param_name)
        if name
    )
    calls.append(
        _Call(
            call=call,
            is_coroutine=_is_coroutine(call),
            params=_params(dependant),
            request_names=request_names,
            children=tuple(children),
            cache_key=_get_cache_key(dependant=dependant, uses_scopes_cache={}),
            use_cache=dependant.use_cache,
        )
    )
    return len(calls) - 1


def _returns_response(endpoint: Callable[..., Any]) -> bool:
    try:
        returned = get_type_hints(endpoint).get("return")
    except Exception:  # noqa: BLE001 - an annotation we cannot resolve: leave it to FastAPI
        return False
    return isinstance(returned, type) and issubclass(returned, Response)


class _Missing(Exception):  # noqa: N818 - control flow: a parameter the framework must answer
    pass


class CompiledRoute:
    """One GET route's plan: validate every parameter, then make the calls in order."""

    def __init__(self, route: APIRoute, dependant: Dependant) -> None:
        if not _returns_response(route.endpoint):
            raise NotCompilable("an endpoint that does not return a Response")
        self.route = route
        self.calls: list[_Call] = []
        _plan(dependant, self.calls)
        self.allowed_query = frozenset(query_names(dependant))
        self.reads_cookies = any(p.location == "cookie" for c in self.calls for p in c.params)

    def arguments(self, scope: Scope, path_params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every call's validated parameters; raises _Missing when one is absent or invalid."""
        query = _NO_QUERY
        if scope["query_string"]:
            query = QueryParams(scope["query_string"])
            if not self.allowed_query.issuperset(query.keys()):
                raise _Missing
        headers = Headers(scope=scope)
        cookies: Mapping[str, str] | None = None
        if self.reads_cookies:
            cookies = cookie_parser(headers.get("cookie", ""))
        sources: dict[str, Any] = {
            "path": path_params,
            "query": query,
            "header": headers,
            "cookie": cookies or {},
        }
        arguments = []
        for call in self.calls:
            values: dict[str, Any] = {}
            by_location: dict[str, dict[str, Any]] = {}
            for param in call.params:
                source = sources[param.location]
                alias = param.aliases[0]
                if len(param.aliases) > 1:
                    alias = next((a for a in param.aliases if a in source), alias)
                if param.sequence and isinstance(source, (QueryParams, Headers)):
                    value: Any = source.getlist(alias) or _UNDEFINED
                else:
                    value = source.get(alias, _UNDEFINED)
                    if value is None:
                        value = _UNDEFINED
                seen = by_location.setdefault(param.location, {})
                result, errors = _validate_value_with_model_field(
                    field=param.field, value=value, values=seen, loc=(param.location, alias)
                )
                if errors:
                    raise _Missing
                seen[param.field.name] = result
                values[param.field.name] = result
            arguments.append(values)
        return arguments

    async def answer(
        self,
        request: StrictJsonRequest,
        arguments: list[dict[str, Any]],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        results: list[Any] = []
        cache: dict[Any, Any] = {}
        for call, values in zip(self.calls, arguments, strict=True):
            for name, index in call.children:
                if name:
                    values[name] = results[index]
            for name in call.request_names:
                values[name] = request
            if call.use_cache and call.cache_key in cache:
                result = cache[call.cache_key]
            elif call.is_coroutine:
                result = await call.call(**values)
            else:
                result = await run_in_threadpool(call.call, **values)
            cache.setdefault(call.cache_key, result)
            results.append(result)
        response: Response = results[-1]
        await response(scope, receive, send)


@dataclass(frozen=True, slots=True)
class _Entry:
    """A route that can answer a GET, in the framework's order."""

    route: BaseRoute
    compiled: CompiledRoute | None
    regex: Any | None  # APIRoute patterns are matched here; other routes match themselves
    convertors: Mapping[str, Any]


def _bucket(path: str) -> str:
    """The first two segments of a path: `/v1/stations/…` -> `/v1/stations`."""
    return "/".join(path.split("/", 3)[:3])


def _literal_bucket(route: BaseRoute) -> str | None:
    """The bucket every path this route matches falls in, or None if it can match several."""
    if not isinstance(route, (APIRoute, Route)):
        return None
    literal = route.path.split("{", 1)[0]
    if "{" not in route.path:
        return _bucket(literal)
    if literal.count("/") >= 3:  # two whole segments before the first parameter
        return _bucket(literal)
    return None


class CompiledRoutes:
    """ASGI: answers compiled GET routes itself; hands every other request to `app` (FastAPI's
    own middleware stack)."""

    def __init__(self, app: ASGIApp, *, owner: FastAPI) -> None:
        self.app = app
        self.owner = owner
        entries: list[_Entry] = []
        self.compiled: list[CompiledRoute] = []
        for context in iter_route_contexts(owner.router.routes):
            route = context.original_route
            effective = context._route_context  # noqa: SLF001 - what FastAPI itself runs
            if isinstance(route, APIRoute):
                if "GET" not in (route.methods or ()):
                    continue  # can only match partially: never the route of a GET
                dependant = getattr(effective, "dependant", None) or route.dependant
                compiled = self._compile(route, dependant)
                regex = getattr(effective, "path_regex", None) or route.path_regex
                convertors = getattr(effective, "param_convertors", None) or route.param_convertors
                entries.append(_Entry(route, compiled, regex, convertors))
            else:
                starlette_route = getattr(effective, "starlette_route", None) or route
                entries.append(_Entry(starlette_route, None, None, {}))
        buckets = {key for entry in entries if (key := _literal_bucket(entry.route)) is not None}
        self.anywhere = [entry for entry in entries if _literal_bucket(entry.route) is None]
        self.buckets = {
            key: [e for e in entries if _literal_bucket(e.route) in (key, None)] for key in buckets
        }
        # The framework's split: 500 or Exception for the outer layer, the rest inside.
        handlers = dict(owner.exception_handlers)
        error_handler = handlers.pop(Exception, None)
        error_handler = handlers.pop(500, None) or error_handler
        # The framework's own exception layers, around the compiled answer only.
        self.answer: ASGIApp = ServerErrorMiddleware(
            ExceptionMiddleware(self._answer, handlers=handlers), handler=error_handler
        )

    def _compile(self, route: APIRoute, dependant: Dependant) -> CompiledRoute | None:
        try:
            compiled = CompiledRoute(route, dependant)
        except NotCompilable:
            return None
        self.compiled.append(compiled)
        return compiled

    def _find(self, scope: Scope) -> tuple[CompiledRoute, dict[str, Any]] | None:
        path = get_route_path(scope)
        for entry in self.buckets.get(_bucket(path), self.anywhere):
            if entry.regex is None:
                match, _ = entry.route.matches(scope)
                if match is Match.FULL:
                    return None  # a route the framework answers
                continue
            found = entry.regex.match(path)
            if found is None:
                continue
            if entry.compiled is None:
                return None
            params = {k: entry.convertors[k].convert(v) for k, v in found.groupdict().items()}
            return entry.compiled, params
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        overridden = self.owner.dependency_overrides
        if scope["type"] == "http" and scope["method"] == "GET" and not overridden:
            found = self._find(scope)
            if found is not None:
                compiled, params = found
                path_params = {**scope.get("path_params", {}), **params}
                try:
                    arguments = compiled.arguments(scope, path_params)
                except _Missing:
                    pass  # the framework answers it, with its problem
                else:
                    scope["route"] = compiled.route
                    scope["endpoint"] = compiled.route.endpoint
                    scope["path_params"] = path_params
                    scope["linkage.compiled"] = (compiled, arguments)
                    await self.answer(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        compiled, arguments = scope.pop("linkage.compiled")
        request = StrictJsonRequest(scope, receive)
        await compiled.answer(request, arguments, scope, receive, send)
