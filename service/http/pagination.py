"""Cursor pagination: opaque page tokens, signed, bound to their collection and their filters.

A token is `base64url(tag ‖ payload)`: the payload (JSON: version, the key to continue after,
a digest of the filters) and a truncated HMAC-SHA256 over the collection's path and the
payload, under the server's secret. A token another collection issued, or one that anybody
forged or changed, fails the tag and is 400 `invalid_page_token`; only then is the payload read,
so nothing a caller makes up ever reaches a query. Tokens signed with the previous secret are
still accepted, so a rotation does not break a client half-way through a listing.

`page_params`, the dependency every collection takes, notes the collection and the signer for
the request, so the routes call `encode_page_token(after, filters)` and
`decode_page_token(token, filters)` as they always did.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import asdict, dataclass, is_dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import orjson
from fastapi import Depends, Query, Request, Response

from service.db.repositories.keyset import SyncRequest, begin_sync, sync_request
from service.http.problems import ProblemError
from service.http.responses import json_response
from service.keyfiles import development_secret
from service.schemas.common import Instant, Page
from service.schemas.encoding import View
from service.settings import Settings
from service.usecases.common import KeysetPage

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
_TOKEN_VERSION = 2
_TAG_BYTES = 16
_CONTEXT = b"linkage/page-token/v2\x00"
KEY_FILE = "page-token.key"


class PageTokenSigner:
    """Signs page tokens with the current secret; verifies with the current or the previous."""

    def __init__(self, secret: str, previous: str | None = None) -> None:
        self._keys = [key.encode("utf-8") for key in (secret, previous) if key]

    @classmethod
    def from_settings(cls, settings: Settings) -> PageTokenSigner:
        """The configured secrets; outside production, a secret file in data_dir if unset."""
        previous = settings.page_token_previous_secret
        previous_text = previous.get_secret_value() if previous is not None else None
        if settings.page_token_secret is not None:
            return cls(settings.page_token_secret.get_secret_value(), previous_text)
        new = lambda: secrets.token_urlsafe(32)  # noqa: E731 - a one-line factory
        return cls(development_secret(settings.data_dir, KEY_FILE, new), previous_text)

    def _tag(self, key: bytes, collection: str, payload: bytes) -> bytes:
        message = _CONTEXT + collection.encode("utf-8") + b"\x00" + payload
        return hmac.new(key, message, hashlib.sha256).digest()[:_TAG_BYTES]

    def sign(self, *, collection: str, after: str, filters: Any) -> str:
        """A token for `collection` that continues after `after` under `filters`."""
        payload = orjson.dumps({"v": _TOKEN_VERSION, "a": after, "f": _filters_digest(filters)})
        token = self._tag(self._keys[0], collection, payload) + payload
        return base64.urlsafe_b64encode(token).rstrip(b"=").decode("ascii")

    def verify(self, *, collection: str, token: str, filters: Any) -> str:
        """The key to continue after; a ProblemError (400) for anything this collection did not
        issue, or issued for other filters."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        tag, payload = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
        if not any(
            hmac.compare_digest(tag, self._tag(key, collection, payload)) for key in self._keys
        ):
            raise ProblemError(
                400,
                "invalid_page_token",
                "page_token was not issued by this service for this collection",
            )
        content = orjson.loads(payload)  # ours, signed: well-formed by construction
        if content["f"] != _filters_digest(filters):
            raise ProblemError(
                400,
                "page_token_filter_mismatch",
                "page_token was issued for other filters; repeat the original filters or start"
                " over",
            )
        after: str = content["a"]
        return after


@dataclass(frozen=True, slots=True)
class _Paging:
    """The collection a request lists and the signer of its tokens.

    `collection` names the listing's order and `updated_since` too, so a token of one order
    or one sync window is refused in another (its key would not mean the same thing).
    """

    collection: str
    signer: PageTokenSigner
    by_update: bool = False


class ListOrder(StrEnum):
    """How a collection is ordered: its own natural order, or by update time (for sync)."""

    default = "default"
    updated_at = "updated_at"


_paging: ContextVar[_Paging | None] = ContextVar("paging", default=None)


@dataclass(frozen=True, slots=True)
class PageParams:
    """What the caller asked for: a page size and where to continue."""

    size: int
    token: str | None
    updated_since: datetime | None = None
    order: ListOrder = ListOrder.default


async def page_params(
    request: Request,
    page_size: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page (default 50, max 200).")
    ] = DEFAULT_PAGE_SIZE,
    page_token: Annotated[
        str | None,
        Query(
            max_length=512,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="`next_page_token` of the previous page (of this collection and these"
            " filters).",
        ),
    ] = None,
    updated_since: Annotated[
        Instant | None,
        Query(
            description="Only items created or changed at or after this instant (ISO 8601 with"
            " an offset): for incremental sync, pass the greatest `updated_at` you hold."
        ),
    ] = None,
    order: Annotated[
        ListOrder,
        Query(
            description="`default`: the collection's own order; `updated_at`: oldest change"
            " first, ties by id (a stable keyset for mirroring)."
        ),
    ] = ListOrder.default,
) -> PageParams:
    """The pagination and sync query parameters every collection takes; notes the collection
    (the request's path, ids included, and its order and sync window) its tokens are bound to."""
    since = updated_since.astimezone(UTC) if updated_since is not None else None
    by_update = order is ListOrder.updated_at
    # The plain listing keeps the bare path, so its tokens are the ones it always issued.
    window = (
        f"\x00order={order.value}\x00since={since.isoformat() if since else ''}"
        if by_update or since is not None
        else ""
    )
    _paging.set(
        _Paging(
            collection=request.url.path + window,
            signer=request.app.state.page_tokens,
            by_update=by_update,
        )
    )
    begin_sync(SyncRequest(updated_since=since, by_update=by_update))
    return PageParams(size=page_size, token=page_token, updated_since=since, order=order)


PageParamsDep = Annotated[PageParams, Depends(page_params)]


def _current() -> _Paging:
    paging = _paging.get()
    if paging is None:
        raise RuntimeError("page tokens are made in a route that takes PageParamsDep")
    return paging


def _filters_digest(filters: Any) -> str:
    is_instance = is_dataclass(filters) and not isinstance(filters, type)
    values: Mapping[str, Any] = asdict(filters) if is_instance else (filters or {})
    canonical = orjson.dumps(
        {k: v for k, v in values.items() if v is not None}, option=orjson.OPT_SORT_KEYS, default=str
    )
    return hashlib.sha256(canonical).hexdigest()[:16]


def encode_page_token(after: str, filters: Any) -> str:
    """An opaque token that continues this collection after `after` under the same filters."""
    paging = _current()
    return paging.signer.sign(collection=paging.collection, after=after, filters=filters)


def decode_page_token(token: str | None, filters: Any) -> str | None:
    """The key to continue after, or None for the first page; 400 for a token this collection
    did not issue, or issued for other filters."""
    if token is None:
        return None
    paging = _current()
    key = paging.signer.verify(collection=paging.collection, token=token, filters=filters)
    if paging.by_update:  # the key is (updated_at, id), for keyset.paged, not for the route
        begin_sync(replace(sync_request(), key=key))
        return None
    return key


def page_response(page: type[Page[Any]], result: KeysetPage[Any], filters: Any) -> Response:
    """A page of `result` as `page`, its `next_page_token` (if there is more) bound to `filters`
    as `decode_page_token` will check them. The items are response models or the stored values
    a view holds (`View.values`): either way the body is `page`'s, written by `dump_json`."""
    next_token = result.next_after and encode_page_token(result.next_after, filters)
    return json_response(View(page, {"items": result.items, "next_page_token": next_token}))
