"""Date-range query parameters of the records and reports (`from`, `to`, `as_of`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from service.domain.errors import FieldProblem
from service.domain.supervision import hangzhou_today
from service.http.problems import ProblemError
from service.schemas.common import CalendarDate
from service.schemas.linkages import LinkageDate
from service.usecases.common import Services

From = Annotated[
    CalendarDate | None,
    Query(alias="from", description="From this day (inclusive), `YYYY-MM-DD`."),
]
To = Annotated[
    CalendarDate | None,
    Query(alias="to", description="Up to this day (inclusive), `YYYY-MM-DD`."),
]
AsOf = Annotated[
    LinkageDate | None,
    Query(
        description="The day judged, `YYYY-MM-DD`, not in the future (default: today in Hangzhou)."
    ),
]


def checked_range(first: date | None, last: date | None) -> tuple[date | None, date | None]:
    """The range as given; 400 when it ends before it begins."""
    if first is not None and last is not None and first > last:
        raise ProblemError(
            400,
            "invalid_parameter",
            "query.to: the range ends before it begins",
            errors=[FieldProblem("query.to", "on or after `from`", code="range_reversed")],
        )
    return first, last


def judged_day(as_of: date | None, services: Services) -> date:
    """The day judged: today in Hangzhou unless given; 400 for a day still to come."""
    today = hangzhou_today(services.clock())
    if as_of is None:
        return today
    if as_of > today:
        raise ProblemError(
            400,
            "invalid_parameter",
            f"query.as_of: {as_of.isoformat()} is in the future; today is {today.isoformat()}",
            errors=[FieldProblem("query.as_of", "today or earlier", code="date_in_future")],
        )
    return as_of
