"""The OpenAPI document: FastAPI's, made to document itself for integrators.

On top of what the routes declare: reusable problem responses and headers, the scopes each
operation needs (machine-readable), the problem codes enumerated, every path parameter
described, one named example per request body, tags and servers described.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi

from service.http.openapi_text import (
    DESCRIPTION,
    EXTERNAL_DOCS,
    PARAMETERS,
    PROBLEM_EXAMPLES,
    RESPONSE_NAMES,
    TAGS,
    TITLE,
)
from service.http.problem_types import CATALOGUE
from service.http.problems import PROBLEM_MEDIA_TYPE
from service.http.responses import RATE_LIMIT_HEADERS
from service.http.security import required_scopes
from service.schemas.common import FieldError, Problem
from service.schemas.examples import REQUEST_EXAMPLES
from service.schemas.response_examples import RESPONSE_EXAMPLES

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id: the caller's own (1–128 of `A-Za-z0-9._:-`) or a new"
        " one. Quote it when reporting a problem.",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": 'The version of the resource, e.g. `"3"`: send it back in `If-Match` to'
        " change it, or in `If-None-Match` to be told 304.",
        "schema": {"type": "string"},
    },
    "Location": {
        "description": "Where the resource created (or the job started) is.",
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the"
        " same `Idempotency-Key` and body: nothing was done again.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    },
    **RATE_LIMIT_HEADERS,
}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            yield path, method, operation


def _route_scopes(app: FastAPI) -> dict[str, tuple[str, ...]]:
    """Each operation id's scopes (any one of them suffices)."""
    found: dict[str, tuple[str, ...]] = {}
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for context in contexts() if contexts else [route]:
            dependant: Dependant | None = getattr(context, "dependant", None)
            named = getattr(context, "operation_id", None) or getattr(context, "name", "")
            operation_id = str(named)
            if dependant is not None:
                found[operation_id] = tuple(scope.value for scope in required_scopes(dependant))
    return found


def _problem_responses() -> dict[str, dict[str, Any]]:
    """One reusable response per problem status, with an example and its headers."""
    responses: dict[str, dict[str, Any]] = {}
    for status, (name, description) in RESPONSE_NAMES.items():
        response: dict[str, Any] = {
            "description": description,
            "headers": {"X-Request-ID": _ref("headers", "X-Request-ID")},
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": _ref("schemas", "Problem"),
                    "examples": {
                        code: {"summary": example["title"], "value": example}
                        for code, example in PROBLEM_EXAMPLES[status].items()
                    },
                }
            },
        }
        if status in (429, 503):
            response["headers"]["Retry-After"] = _ref("headers", "Retry-After")
        if status == 429:
            response["headers"] |= {n: _ref("headers", n) for n in RATE_LIMIT_HEADERS}
        responses[name] = response
    return responses


def _success_headers(method: str, status: str, operation: dict[str, Any]) -> dict[str, Any]:
    """The headers a success answer carries."""
    headers = {"X-Request-ID": _ref("headers", "X-Request-ID")}
    parameters = {p.get("name") for p in operation.get("parameters", [])}
    if status in ("201", "202"):
        headers["Location"] = _ref("headers", "Location")
    if "Idempotency-Key" in parameters and status in ("200", "201", "202"):
        headers["Idempotent-Replayed"] = _ref("headers", "Idempotent-Replayed")
    if (
        (status in ("200", "201", "304") and ("If-None-Match" in parameters))
        or ("If-Match" in parameters and status == "200")
        or (status == "201" and method == "post")
    ):
        headers["ETag"] = _ref("headers", "ETag")
    if operation.get("security") != []:
        headers |= {name: _ref("headers", name) for name in RATE_LIMIT_HEADERS}
    return headers


def _document_operation(
    method: str, operation: dict[str, Any], scopes: tuple[str, ...], schemas: dict[str, Any]
) -> None:
    """Scopes, parameters, responses and examples of one operation."""
    if scopes:
        operation["security"] = [{"ApiKey": []}]
        operation["x-required-scopes"] = list(scopes)  # any one of them
        needed = " or ".join(f"`{scope}`" for scope in scopes)
        operation["description"] = (
            operation.get("description", "").rstrip() + f"\n\n**Scope:** {needed}."
        )
    else:
        operation["security"] = []
    for parameter in operation.get("parameters", []):
        if not parameter.get("description") and parameter["name"] in PARAMETERS:
            parameter["description"] = PARAMETERS[parameter["name"]]
    by_status = {str(status): name for status, (name, _) in RESPONSE_NAMES.items()}
    for status, response in list(operation.get("responses", {}).items()):
        if PROBLEM_MEDIA_TYPE in response.get("content", {}) and status in by_status:
            operation["responses"][status] = _ref("responses", by_status[status])
            continue
        if status.startswith(("2", "3")):
            response["headers"] = response.get("headers", {}) | _success_headers(
                method, status, operation
            )
            model = _model_of(response)
            if model and response.get("description") == "Successful Response":
                response["description"] = _first_line(schemas.get(model, {}), model)
            if model in RESPONSE_EXAMPLES and "application/json" in response.get("content", {}):
                response["content"]["application/json"]["examples"] = {
                    name: {"value": value} for name, value in RESPONSE_EXAMPLES[model].items()
                }
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        model = body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
        if model in REQUEST_EXAMPLES:
            body["examples"] = {
                name: {"value": value} for name, value in REQUEST_EXAMPLES[model].items()
            }


def _model_of(response: dict[str, Any]) -> str:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return str(schema.get("$ref", "")).rsplit("/", 1)[-1]


def _first_line(schema: dict[str, Any], fallback: str) -> str:
    description = str(schema.get("description") or fallback)
    return description.split("\n", 1)[0].strip()


def build_openapi(app: FastAPI, *, version: str, server_url: str) -> dict[str, Any]:
    """The service's OpenAPI document."""
    schema = get_openapi(
        title=TITLE,
        version=version,
        summary="Hangzhou's social work stations and the five societies they link (五社联动).",
        description=DESCRIPTION,
        routes=app.routes,
        tags=TAGS,
        servers=[{"url": server_url, "description": "This service (LINKAGE_PUBLIC_URL)"}],
        contact={
            "name": "Five-Society Linkage service team, Hangzhou Civil Affairs Bureau",
            "url": f"{server_url}/docs",
        },
        license_info={"name": "MIT", "identifier": "MIT"},
    )
    schema["externalDocs"] = copy.deepcopy(EXTERNAL_DOCS)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["FieldError"] = FieldError.model_json_schema()
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    problem.pop("$defs", None)
    problem["properties"]["code"]["enum"] = sorted(p.code for p in CATALOGUE)
    problem["properties"]["code"]["description"] = (
        "Stable machine-readable code; `GET /v1/problem-types` says what each means."
    )
    schemas["Problem"] = problem
    components["headers"] = copy.deepcopy(HEADERS)
    components["responses"] = _problem_responses()
    scopes = _route_scopes(app)
    for _, method, operation in _operations(schema):
        operation["responses"].pop("422", None) if _is_fastapi_422(operation) else None
        _document_operation(method, operation, scopes.get(operation["operationId"], ()), schemas)
    return schema


def _is_fastapi_422(operation: dict[str, Any]) -> bool:
    """FastAPI's own 422 (application/json HTTPValidationError) instead of our problem."""
    response = operation.get("responses", {}).get("422", {})
    return "application/json" in response.get("content", {})
