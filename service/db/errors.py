"""Read which constraint a failed statement violated, on PostgreSQL and on SQLite."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

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
        columns = [part.split(".") for part in match.group(1).split(", ")]
        table_name = columns[0][0]
        return f"uq_{table_name}_{'_'.join(column for _, column in columns)}"
    if match := _SQLITE_CHECK.search(message):
        return match.group(1)
    return None
