"""Keyset pagination on a composite key (e.g. name, then id): encode the key, seek past it."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, tuple_
from sqlalchemy.types import TypeDecorator


def encode_key(*parts: object) -> str:
    """A page's continuation key: its last row's sort values, as JSON."""
    return orjson.dumps([str(part) for part in parts]).decode()


def after(columns: tuple[ColumnElement[Any], ...], key: str | None) -> ColumnElement[bool] | None:
    """Rows strictly after `key` in the order of `columns`; None on the first page.

    A key that does not decode is treated as the first page's: keys come from our own page
    tokens, whose integrity the HTTP edge has already checked.
    """
    if key is None:
        return None
    try:
        parts = orjson.loads(key)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parts, list) or len(parts) != len(columns):
        return None
    try:
        values = [_typed(column, part) for column, part in zip(columns, parts, strict=True)]
    except (TypeError, ValueError):
        return None
    return tuple_(*columns) > tuple_(*values)


def _instant(part: str) -> datetime:
    """A key's timestamp: timezone-aware and representable in UTC, or a ValueError."""
    value = datetime.fromisoformat(part)
    if value.tzinfo is None:
        raise ValueError("a naive timestamp in a page key")
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("a timestamp out of range in a page key") from exc


_PARSERS: dict[type, Any] = {
    uuid.UUID: uuid.UUID,
    date: date.fromisoformat,
    datetime: _instant,
    int: int,  # an audit event's id
}


def _typed(column: ColumnElement[Any], part: str) -> BindParameter[Any]:
    """A bound value of the column's own type (a UUID stays a UUID, a date a date)."""
    kind = column.type
    if isinstance(kind, TypeDecorator):  # e.g. UTCDateTime: parsed as the type it decorates
        kind = kind.impl_instance
    parse = _PARSERS.get(kind.python_type, str)
    return bindparam(None, parse(part), type_=column.type, unique=True)


# --- Incremental sync: `updated_since` and `order=updated_at` on every collection --------------
#
# The HTTP edge (`page_params`) notes what the caller asked for in `SYNC` for the request; a
# repository's list calls `paged(query, stamp, id)` just before it fetches, and `KeysetPage.of`
# takes its continuation key from the same place. A collection that goes through those two gets
# incremental sync without knowing of it, whatever its natural order.


@dataclass(frozen=True, slots=True)
class SyncRequest:
    """A listing's sync options: changes since an instant, and/or update-time order.

    `key` is the decoded continuation key of an update-time listing (the natural order's key
    is handed to the route as before; the two never mix: tokens are bound to the order).
    """

    updated_since: datetime | None = None
    by_update: bool = False
    key: str | None = None


@dataclass(slots=True)
class _SyncState:
    request: SyncRequest
    stamp: str | None = None  # the attributes paged() ordered by, for the next key
    ident: str = "id"
    used: bool = False


_sync: ContextVar[_SyncState | None] = ContextVar("sync", default=None)


def begin_sync(request: SyncRequest) -> None:
    """Note the sync options of the listing this request makes (called by the HTTP edge)."""
    _sync.set(_SyncState(request))


def sync_request() -> SyncRequest:
    """This request's sync options (none outside a listing)."""
    state = _sync.get()
    return state.request if state is not None else SyncRequest()


def paged(
    query: Select[Any],
    stamp: ColumnElement[Any] | None,
    ident: ColumnElement[Any],
    *,
    ident_path: str | None = None,
) -> Select[Any]:
    """`query` narrowed to rows changed since the caller's `updated_since` and, when the caller
    asked for `order=updated_at`, reordered by (stamp, id) and continued after its key.

    `stamp` is the row's update time (its creation time for an append-only record); None for
    reference data that has none: `updated_since` then changes nothing, and the update-time
    order is the id's (a stable keyset all the same). `ident_path` names the id in the listed
    items when it is not the column's name (dotted: `volunteer.id`).
    """
    state = _sync.get()
    if state is None:
        return query
    wanted = state.request
    if wanted.updated_since is not None and stamp is not None:
        query = query.where(stamp >= bindparam(None, wanted.updated_since, type_=stamp.type))
    if wanted.by_update:
        keyset = (ident,) if stamp is None else (stamp, ident)
        state.stamp = None if stamp is None else _name(stamp)
        state.ident, state.used = ident_path or _name(ident), True
        query = query.order_by(None).order_by(*keyset)
        seek = after(keyset, wanted.key)
        if seek is not None:
            query = query.where(seek)
    return query


def sync_key(item: Any) -> str | None:
    """The continuation key of an update-time listing for its last item; None in the natural
    order (the caller's own key function applies)."""
    state = _sync.get()
    if state is None or not state.request.by_update:
        return None
    if not state.used:  # a collection whose repository forgot paged(): its key would mislead
        raise RuntimeError("an update-time listing whose query did not go through keyset.paged")
    if state.stamp is None:
        return encode_key(_field(item, state.ident))
    return encode_key(_field(item, state.stamp), _field(item, state.ident))


def _name(column: ColumnElement[Any]) -> str:
    name: str = getattr(column, "name")  # noqa: B009 - a ColumnElement's name, when it is a column
    return name


def _field(item: Any, path: str) -> Any:
    for name in path.split("."):
        item = item[name] if isinstance(item, dict) else getattr(item, name)
    return item
