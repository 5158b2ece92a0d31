"""Who sees a resource request and who acts on it: its station's side, or a provider's."""

from __future__ import annotations

import uuid

from service.db.reader import Reader
from service.db.repositories.resource_requests import ResourceRequestRepository
from service.domain.access import Caller, check_may_change_station
from service.domain.errors import NotFound


async def sees_request(
    reader: Reader, caller: Caller, *, request_id: uuid.UUID, station_id: uuid.UUID
) -> bool:
    """The bureau's clients see every request, a station's its own, an organisation's those with
    an offer it answers for."""
    if caller.organisation_id is not None:
        return await ResourceRequestRepository(reader).offered_to(
            request_id, caller.organisation_id
        )
    return caller.may_change_station(station_id)


async def check_station_side(
    reader: Reader, caller: Caller, *, request_id: uuid.UUID, station_id: uuid.UUID
) -> None:
    """404 for a request the caller cannot see, 403 for one it sees but may not act on for the
    station."""
    if not await sees_request(reader, caller, request_id=request_id, station_id=station_id):
        raise NotFound(f"no resource request with id {request_id}")
    check_may_change_station(caller, station_id, f"resource request {request_id}")
