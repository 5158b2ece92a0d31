"""What every report shares: its scope of stations, the districts it has rows for, and which
stations the caller sees named."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from service.db.reader import Reader
from service.db.repositories.compliance import station_scope
from service.db.repositories.reports import districts, stations_linked_with
from service.domain.access import Caller
from service.domain.divisions import district_code_of
from service.domain.reports import ReportScope, Visibility


def scope_of(where: ReportScope) -> Select[Any]:
    """The stations a report covers."""
    return station_scope(district_code=where.district_code, township_code=where.township_code)


async def district_names(reader: Reader, where: ReportScope) -> dict[str, str]:
    """The districts a report has a row for, by code: the one filtered on, or all thirteen."""
    code = where.district_code
    if code is None and where.township_code is not None:
        code = district_code_of(where.township_code)
    return {row["code"]: row["name"] for row in await districts(reader, code)}


async def visibility(reader: Reader, caller: Caller) -> Visibility:
    """The stations the caller sees named: all for the bureau, its own for a station, those it
    is linked with for an organisation (as GET /v1/stations/{id}/compliance lets it read)."""
    if caller.station_id is not None:
        return Visibility(frozenset({caller.station_id}))
    if caller.organisation_id is not None:
        return Visibility(frozenset(await stations_linked_with(reader, caller.organisation_id)))
    return Visibility()
