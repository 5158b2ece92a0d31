"""Column helpers and the metadata naming convention every table module shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Table
from sqlmodel import Field, SQLModel

from service.db.types import JSONDocument, UTCDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, timezone-aware."""
    return datetime.now(UTC)


def one_of(column: str, values: Any) -> str:
    """A CHECK expression: the column holds one of the vocabulary's values."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def timestamp() -> Any:
    """A non-null UTC timestamp column, defaulting to now."""
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def json_list() -> Any:
    """A non-null JSON array column (JSONB on PostgreSQL)."""
    return Field(default_factory=list, sa_column=Column(JSONDocument, nullable=False))


def table(model: type[SQLModel]) -> Table:
    """The Core `Table` behind a table class, for lean reads."""
    result = model.__table__  # type: ignore[attr-defined]
    if not isinstance(result, Table):
        raise TypeError(f"{model.__name__} is not a table class")
    return result
