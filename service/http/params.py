"""Query parameters several collections share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from service.schemas.common import DISTRICT_CODE, TOWNSHIP_CODE

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
