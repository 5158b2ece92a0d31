"""Read which constraint a failed statement violated, on PostgreSQL and on SQLite."""

from __future__ import annotations

import re

from sqlalchemy import Index, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from service.db import tables  # noqa: F401 - every table on the metadata

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")


def violated_constraint(exc: IntegrityError) -> str | None:
    """The constraint's name as our naming convention spells it, when it can be told."""
    original = exc.orig
    name = getattr(original, "constraint_name", None)  # asyncpg's error, behind the adapter
    if name is None and original is not None:
        name = getattr(getattr(original, "__cause__", None), "constraint_name", None)
    if name:
        return str(name)
    message = str(original)
    if match := _SQLITE_UNIQUE.search(message):
        pairs = [part.split(".") for part in match.group(1).split(", ")]
        return _unique_named(pairs[0][0], {column for _, column in pairs})
    if match := _SQLITE_CHECK.search(message):
        return match.group(1)
    return None


def _unique_named(table_name: str, columns: set[str]) -> str | None:
    """SQLite names only the columns: find the unique constraint or index they make up."""
    table = SQLModel.metadata.tables.get(table_name)
    if table is None:
        return None
    candidates: list[UniqueConstraint | PrimaryKeyConstraint | Index] = [
        c for c in table.constraints if isinstance(c, UniqueConstraint | PrimaryKeyConstraint)
    ]
    candidates += [index for index in table.indexes if index.unique]
    for candidate in candidates:
        if {column.name for column in candidate.columns} == columns:
            return str(candidate.name)
    return None
