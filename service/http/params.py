"""Query parameters several collections share."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Query
from pydantic import AwareDatetime, BeforeValidator

from service.schemas.common import ANY_DIVISION_CODE, DISTRICT_CODE, SINGLE_LINE, TOWNSHIP_CODE

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


def _iso_8601(value: object) -> object:
    if isinstance(value, str) and not _ISO_INSTANT.match(value):
        raise ValueError("an ISO 8601 date-time with an offset, e.g. 2026-01-31T08:00:00+08:00")
    return value


_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")

# A moment in time, written out: numbers (read as Unix time by default) are refused.
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_8601)]
