"""Query parameters several collections share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from service.schemas.common import (
    ANY_DIVISION_CODE,
    DISTRICT_CODE,
    SINGLE_LINE,
    TOWNSHIP_CODE,
    CalendarDate,
    Instant,
)

__all__ = ["CalendarDate", "Instant"]  # the one date and instant types, for query parameters

DistrictCodeQuery = Annotated[
    str | None,
    Query(
        pattern=DISTRICT_CODE, description="County-level code, e.g. `330106`.", examples=["330106"]
    ),
]
TownshipCodeQuery = Annotated[
    str | None,
    Query(pattern=TOWNSHIP_CODE, description="Township-level code.", examples=["330106002"]),
]
DivisionCodeQuery = Annotated[
    str | None,
    Query(
        pattern=ANY_DIVISION_CODE,
        description="Keep partners whose service area covers this division (any level).",
        examples=["330106002"],
    ),
]
NameQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=64, pattern=SINGLE_LINE, description="Name contains this text."),
]
