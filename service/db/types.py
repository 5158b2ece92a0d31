"""Column types and SQL constructs that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, BindParameter, DateTime, Integer, bindparam, case, false, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import Boolean, Float, String, TypeDecorator

from service.domain.divisions import ancestry
from service.domain.geo import EARTH_RADIUS_KM, Point, distance_km

JSONDocument = JSON().with_variant(JSONB(), "postgresql")
# A JSON column that may be absent: Python None is SQL NULL, not the JSON document `null`.
OptionalJSONDocument = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp; SQLite's naive strings come back as UTC too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _bound(value: Any) -> ColumnElement[Any]:
    """A value as an anonymous bound parameter; a named one (a prepared statement's) or a
    column as is."""
    return value if isinstance(value, ColumnElement) else bindparam(None, value, unique=True)


class json_array_contains(FunctionElement[bool]):  # noqa: N801 - reads like a SQL function
    """`column` (a JSON array of strings) contains `value`, as an index-friendly predicate."""

    type = Boolean()
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any], value: str | ColumnElement[Any]) -> None:
        super().__init__(column, _bound(value))


@compiles(json_array_contains, "postgresql")
def _contains_postgresql(element: json_array_contains, compiler: SQLCompiler, **kw: Any) -> str:
    column, value = element.clauses
    # `?`: the string is an element of the array (GIN-indexed like `@>`, and nothing is built
    # per row, which `@> jsonb_build_array($1)` does in a prepared statement's generic plan).
    return f"({compiler.process(column, **kw)} ? CAST({compiler.process(value, **kw)} AS TEXT))"


@compiles(json_array_contains, "sqlite")
def _contains_sqlite(element: json_array_contains, compiler: SQLCompiler, **kw: Any) -> str:
    column, value = element.clauses
    # Both parts are compiled SQL (a column and a bound parameter), never caller text.
    return (
        f"EXISTS (SELECT 1 FROM json_each({compiler.process(column, **kw)}) "  # noqa: S608
        f"WHERE json_each.value = {compiler.process(value, **kw)})"
    )


def json_text(value: Any) -> str:
    """Compact JSON with real Unicode, so names stay readable in the database."""
    return orjson.dumps(value).decode()


class json_array_overlaps(FunctionElement[bool]):  # noqa: N801 - reads like a SQL function
    """`column` (a JSON array of strings) holds at least one of `values` (jsonb `?|` on PG)."""

    type = Boolean()
    inherit_cache = True

    def __init__(
        self, column: ColumnElement[Any], values: Sequence[str | BindParameter[Any]]
    ) -> None:
        super().__init__(column, *(_bound(value) for value in values))


@compiles(json_array_overlaps, "postgresql")
def _overlaps_postgresql(element: json_array_overlaps, compiler: SQLCompiler, **kw: Any) -> str:
    column, *values = element.clauses
    if not values:
        return "false"  # overlapping nothing: and ARRAY[] would have no type
    rendered = ", ".join(f"CAST({compiler.process(v, **kw)} AS TEXT)" for v in values)
    return f"({compiler.process(column, **kw)} ?| ARRAY[{rendered}])"


@compiles(json_array_overlaps, "sqlite")
def _overlaps_sqlite(element: json_array_overlaps, compiler: SQLCompiler, **kw: Any) -> str:
    column, *values = element.clauses
    if not values:
        return "0"
    rendered = ", ".join(compiler.process(v, **kw) for v in values)
    # Compiled SQL only (a column and bound parameters), never caller text.
    return (
        f"EXISTS (SELECT 1 FROM json_each({compiler.process(column, **kw)}) "  # noqa: S608
        f"WHERE json_each.value IN ({rendered}))"
    )


class has_weekday(FunctionElement[bool]):  # noqa: N801 - reads like a SQL function
    """A JSON array of weekly windows has one on an ISO weekday (index-friendly on PostgreSQL).

    Matching binds `pattern` too, the document `[{"weekday": n}]` itself: PostgreSQL then
    tests `@>` against it as given, instead of building it again for every row (a generic plan
    does not fold `jsonb_build_object($1)`), and on rows the area's indexes found."""

    type = Boolean()
    inherit_cache = True

    def __init__(
        self,
        column: ColumnElement[Any],
        weekday: int | BindParameter[Any],
        pattern: BindParameter[Any] | None = None,
    ) -> None:
        super().__init__(column, _bound(weekday), *([pattern] if pattern is not None else []))


def weekday_pattern(weekday: int) -> list[dict[str, int]]:
    """The value to bind as `has_weekday`'s pattern."""
    return [{"weekday": weekday}]


@compiles(has_weekday, "postgresql")
def _has_weekday_postgresql(element: has_weekday, compiler: SQLCompiler, **kw: Any) -> str:
    column, weekday, *pattern = element.clauses
    if pattern:
        # coalesce() keeps the planner off the weekday's GIN index here: a weekday holds a third
        # of the city's volunteers, and probing it costs more than visiting the rows the area
        # indexes found (bench/matching.py: 4.6 -> 3.5 ms per search at 100,000 volunteers).
        return (
            f"(coalesce({compiler.process(column, **kw)}, '[]'::jsonb) @> "
            f"{compiler.process(pattern[0], **kw)})"
        )
    return (
        f"({compiler.process(column, **kw)} @> jsonb_build_array(jsonb_build_object("
        f"'weekday', CAST({compiler.process(weekday, **kw)} AS INTEGER))))"
    )


@compiles(has_weekday, "sqlite")
def _has_weekday_sqlite(element: has_weekday, compiler: SQLCompiler, **kw: Any) -> str:
    column, weekday, *_ = element.clauses
    # Compiled SQL only (a column and a bound parameter), never caller text.
    return (
        f"EXISTS (SELECT 1 FROM json_each({compiler.process(column, **kw)}) "  # noqa: S608
        f"WHERE json_extract(json_each.value, '$.weekday') = {compiler.process(weekday, **kw)})"
    )


def covering(service_area: ColumnElement[Any], division_code: str) -> ColumnElement[bool]:
    """The service area covers the division; a code Hangzhou cannot have (`330100`) none."""
    codes = ancestry(division_code)
    return json_array_overlaps(service_area, codes) if codes else false()


class year_month(FunctionElement[str]):  # noqa: N801 - reads like a SQL function
    """A date's month as `YYYY-MM` text (the date is already a Hangzhou date)."""

    type = String()
    inherit_cache = True

    def __init__(self, day: ColumnElement[Any]) -> None:
        super().__init__(day)


@compiles(year_month, "postgresql")
def _year_month_postgresql(element: year_month, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = element.clauses
    return f"to_char({compiler.process(day, **kw)}, 'YYYY-MM')"


@compiles(year_month, "sqlite")
def _year_month_sqlite(element: year_month, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = element.clauses
    return f"strftime('%Y-%m', {compiler.process(day, **kw)})"


class hours_between(FunctionElement[float]):  # noqa: N801 - reads like a SQL function
    """Hours from one instant to a later one, as a float."""

    type = Float()
    inherit_cache = True

    def __init__(self, later: ColumnElement[Any], earlier: ColumnElement[Any]) -> None:
        super().__init__(later, earlier)


@compiles(hours_between, "postgresql")
def _hours_between_postgresql(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_between_sqlite(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 24.0)"


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of a group meet the condition (0 for none), as an integer."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


class great_circle_km(FunctionElement[float]):  # noqa: N801 - reads like a SQL function
    """The haversine distance in kilometres between two WGS 84 points, the figure
    `service.domain.geo.distance_km` gives: on PostgreSQL in plain SQL trigonometry, on SQLite
    by that very function, registered on every connection as `distance_km`."""

    type = Float()
    inherit_cache = True

    def __init__(
        self,
        lat1: ColumnElement[Any],
        lon1: ColumnElement[Any],
        lat2: ColumnElement[Any],
        lon2: ColumnElement[Any],
    ) -> None:
        super().__init__(lat1, lon1, lat2, lon2)


@compiles(great_circle_km, "postgresql")
def _great_circle_postgresql(element: great_circle_km, compiler: SQLCompiler, **kw: Any) -> str:
    lat1, lon1, lat2, lon2 = (compiler.process(c, **kw) for c in element.clauses)
    # Compiled SQL only (columns and bound parameters), never caller text.
    return (
        f"(2 * {EARTH_RADIUS_KM!r} * asin(least(1.0, sqrt("
        f"power(sin(radians(CAST({lat2} AS double precision) - {lat1}) / 2), 2)"
        f" + cos(radians({lat1})) * cos(radians(CAST({lat2} AS double precision)))"
        f" * power(sin(radians(CAST({lon2} AS double precision) - {lon1}) / 2), 2)))))"
    )


@compiles(great_circle_km, "sqlite")
def _great_circle_sqlite(element: great_circle_km, compiler: SQLCompiler, **kw: Any) -> str:
    rendered = ", ".join(compiler.process(c, **kw) for c in element.clauses)
    return f"distance_km({rendered})"


def sqlite_distance_km(
    lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None
) -> float | None:
    """`distance_km(lat1, lon1, lat2, lon2)` for SQLite connections (NULL if a value is)."""
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return None
    return distance_km(Point(float(lat1), float(lon1)), Point(float(lat2), float(lon2)))


class has_available_exception(FunctionElement[bool]):  # noqa: N801 - reads like a SQL function
    """A JSON array of date exceptions has one making a day available (matching's pre-filter:
    such a volunteer may be available on a day without a weekly slot)."""

    type = Boolean()
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any]) -> None:
        super().__init__(column)


@compiles(has_available_exception, "postgresql")
def _available_exception_postgresql(
    element: has_available_exception, compiler: SQLCompiler, **kw: Any
) -> str:
    (column,) = element.clauses
    return (
        f"(coalesce({compiler.process(column, **kw)}, '[]'::jsonb)"
        """ @> '[{"available": true}]'::jsonb)"""
    )


@compiles(has_available_exception, "sqlite")
def _available_exception_sqlite(
    element: has_available_exception, compiler: SQLCompiler, **kw: Any
) -> str:
    (column,) = element.clauses
    # Compiled SQL only (a column), never caller text.
    return (
        f"EXISTS (SELECT 1 FROM json_each({compiler.process(column, **kw)}) "  # noqa: S608
        "WHERE json_extract(json_each.value, '$.available') = 1)"
    )
