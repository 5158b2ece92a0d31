"""Response helpers: JSON bodies with conditional headers, and the problems each route declares."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from service.http.preconditions import etag, not_modified
from service.http.problems import PROBLEM_MEDIA_TYPE
from service.schemas.encoding import View
from service.usecases.idempotency import CreationResult

_DESCRIPTIONS = {
    400: "Malformed request: bad or unknown query parameter, bad page token, malformed JSON.",
    401: "No API key, or an unknown or revoked one.",
    403: "The API key lacks the scope, or is bound to a station that may not do this.",
    404: "No such resource (or not visible to this client).",
    406: "None of the formats the Accept header allows is offered.",
    409: "Conflicts with the current state: a duplicate, or an illegal status change.",
    412: "If-Match does not match the current version.",
    413: "The body is too large.",
    415: "The body is not JSON.",
    422: "Well-formed input that is invalid or that a policy rule forbids.",
    428: "If-Match is required.",
    429: "Too many requests for this client (or, with an unknown API key, this address): wait"
    " `Retry-After` seconds. `RateLimit-Policy` and `RateLimit` say the quotas and what is"
    " left on every response.",
    500: "Unexpected fault; quote the request id.",
    503: "The database is unreachable; retry.",
}

READ = (400, 401, 403, 500, 503)
READ_ONE = (*READ, 404)
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (If-None-Match)."}
}
CREATE = (*READ, 409, 413, 415, 422)
SEARCH = (*READ, 413, 415, 422)  # a POST that only reads: its query is too private for a URL
UPDATE = (*CREATE, 404, 412, 428)


RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": {
        "description": "The quotas this request counts against (draft-ietf-httpapi-ratelimit-"
        'headers), e.g. `"default";q=1200;w=60, "identifier-search";q=30;w=60`.',
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": "What is left of each, and in how many seconds more is free, e.g."
        ' `"default";r=1187;t=60, "identifier-search";r=29;t=60`.',
        "schema": {"type": "string"},
    },
}
RATE_LIMIT_HEADER_REFS = {
    name: {"$ref": f"#/components/headers/{name}"} for name in RATE_LIMIT_HEADERS
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}


def problems(statuses: tuple[int, ...]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries declaring problem+json bodies for these statuses; wherever
    a caller is identified (401 is possible) it may also be rate limited (429)."""
    declared = set(statuses) | ({429} if 401 in statuses else set())
    return {
        status: {
            "description": _DESCRIPTIONS[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        | ({"headers": _RETRY_AFTER | RATE_LIMIT_HEADER_REFS} if status == 429 else {})
        for status in sorted(declared)
    }


def json_response(
    model: BaseModel | View[Any], *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """Serialise a response model (or stored values as one) directly, skipping FastAPI's
    re-validation."""
    return Response(
        model.json() if isinstance(model, View) else model.model_dump_json(),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


def versioned_response(
    model: BaseModel | View[Any], *, version: int, if_none_match: str | None = None
) -> Response:
    """A single resource with its ETag, or 304 when the caller's copy is current."""
    if not_modified(if_none_match, version):
        return Response(status_code=304, headers={"ETag": etag(version)})
    return json_response(model, headers={"ETag": etag(version)})


def creation_response(result: CreationResult) -> Response:
    """201 (or stored status) with Location and ETag; a replay says so in a header."""
    headers: dict[str, str] = {}
    if result.location is not None:
        headers["Location"] = result.location
    if result.version is not None:
        headers["ETag"] = etag(result.version)
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        result.body, status_code=result.status_code, media_type="application/json", headers=headers
    )
