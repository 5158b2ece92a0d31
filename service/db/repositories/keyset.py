"""Keyset pagination on a composite key (e.g. name, then id): encode the key, seek past it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import BindParameter, ColumnElement, bindparam, tuple_
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


_PARSERS: dict[type, Any] = {uuid.UUID: uuid.UUID, date: date.fromisoformat, datetime: _instant}


def _typed(column: ColumnElement[Any], part: str) -> BindParameter[Any]:
    """A bound value of the column's own type (a UUID stays a UUID, a date a date)."""
    kind = column.type
    if isinstance(kind, TypeDecorator):  # e.g. UTCDateTime: parsed as the type it decorates
        kind = kind.impl_instance
    parse = _PARSERS.get(kind.python_type, str)
    return bindparam(None, parse(part), type_=column.type, unique=True)
