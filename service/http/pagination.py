"""Cursor pagination: opaque page tokens bound to the filters they were issued for."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, is_dataclass
from typing import Annotated, Any

import orjson
from fastapi import Depends, Query

from service.http.problems import ProblemError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
_TOKEN_VERSION = 1


@dataclass(frozen=True, slots=True)
class PageParams:
    """What the caller asked for: a page size and where to continue."""

    size: int
    token: str | None


async def page_params(
    page_size: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page (default 50, max 200).")
    ] = DEFAULT_PAGE_SIZE,
    page_token: Annotated[
        str | None,
        Query(
            max_length=512,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="`next_page_token` of the previous page.",
        ),
    ] = None,
) -> PageParams:
    """The pagination query parameters every collection takes."""
    return PageParams(size=page_size, token=page_token)


PageParamsDep = Annotated[PageParams, Depends(page_params)]


def _filters_digest(filters: Any) -> str:
    is_instance = is_dataclass(filters) and not isinstance(filters, type)
    values: Mapping[str, Any] = asdict(filters) if is_instance else filters
    canonical = orjson.dumps(
        {k: v for k, v in values.items() if v is not None}, option=orjson.OPT_SORT_KEYS, default=str
    )
    return hashlib.sha256(canonical).hexdigest()[:16]


def encode_page_token(after: str, filters: Any) -> str:
    """An opaque token that continues after `after` under the same filters."""
    payload = orjson.dumps({"v": _TOKEN_VERSION, "a": after, "f": _filters_digest(filters)})
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")


def decode_page_token(token: str | None, filters: Any) -> str | None:
    """The key to continue after, or None for the first page; 400 for a token we did not issue."""
    if token is None:
        return None
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        payload = None
    if (
        not isinstance(payload, dict)
        or payload.get("v") != _TOKEN_VERSION
        or not isinstance(payload.get("a"), str)
    ):
        raise ProblemError(400, "invalid_page_token", "page_token is not a token this API issued")
    if payload.get("f") != _filters_digest(filters):
        raise ProblemError(
            400,
            "page_token_filter_mismatch",
            "page_token was issued for other filters; repeat the original filters or start over",
        )
    after: str = payload["a"]
    return after
