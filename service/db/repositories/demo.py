"""The demo sample's records: which they are, what else refers to them, and taking them out."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import Table, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.tables import (
    DemoRecord,
    LinkageRecord,
    OfferRecord,
    OfficeRecord,
    OrganisationRecord,
    ResourceRequestRecord,
    StationRecord,
    VolunteerRecord,
    table,
)

# Taken out in this order: what refers to a record goes before it.
REMOVAL_ORDER: Mapping[str, Table] = {
    "resource_request": table(ResourceRequestRecord),
    "linkage": table(LinkageRecord),
    "volunteer": table(VolunteerRecord),
    "office": table(OfficeRecord),
    "organisation": table(OrganisationRecord),
    "station": table(StationRecord),
}
demo = table(DemoRecord)
offer = table(OfferRecord)


async def record(session: AsyncSession, record_type: str, record_id: uuid.UUID) -> None:
    """Note one record as the demo's."""
    session.add(DemoRecord(record_type=record_type, record_id=record_id))
    await session.flush()


async def loaded(session: AsyncSession) -> dict[str, list[uuid.UUID]]:
    """The demo's record ids by type (empty when it is not loaded)."""
    rows = (await session.execute(select(demo.c.record_type, demo.c.record_id))).all()
    found: dict[str, list[uuid.UUID]] = {}
    for record_type, record_id in rows:
        found.setdefault(record_type, []).append(record_id)
    return found


async def _count(session: AsyncSession, source: Table, *conditions: object) -> int:
    statement = select(func.count()).select_from(source).where(*conditions)  # type: ignore[arg-type]
    return int((await session.execute(statement)).scalar_one())


async def references(session: AsyncSession, ids: Mapping[str, Sequence[uuid.UUID]]) -> list[str]:
    """What records that are not the demo's say about demo records, in words (empty: none)."""
    stations, requests = ids.get("station", []), ids.get("resource_request", [])
    partners = [*ids.get("volunteer", []), *ids.get("organisation", [])]
    request, linkage, office = (REMOVAL_ORDER[n] for n in ("resource_request", "linkage", "office"))
    found = {
        "offer(s) on demo requests or to demo providers": await _count(
            session,
            offer,
            or_(offer.c.request_id.in_(requests), offer.c.provider_id.in_(partners)),
        ),
        "linkage(s) with demo stations or partners": await _count(
            session,
            linkage,
            or_(linkage.c.station_id.in_(stations), linkage.c.partner_id.in_(partners)),
            linkage.c.id.not_in(ids.get("linkage", [])),
        ),
        "request(s) of demo stations": await _count(
            session,
            request,
            request.c.station_id.in_(stations),
            request.c.id.not_in(requests),
        ),
        "office(s) under demo stations": await _count(
            session,
            office,
            office.c.station_id.in_(stations),
            office.c.id.not_in(ids.get("office", [])),
        ),
    }
    return [f"{count} {what}" for what, count in found.items() if count]


async def remove(session: AsyncSession, ids: Mapping[str, Sequence[uuid.UUID]]) -> bool:
    """Delete the demo's records and their list; False (nothing deleted) when a record that is
    not the demo's still refers to one of them through a foreign key (the transaction must
    then be rolled back)."""
    try:
        for record_type, source in REMOVAL_ORDER.items():
            chosen = ids.get(record_type, [])
            if chosen:
                await session.execute(delete(source).where(source.c.id.in_(chosen)))
        await session.execute(delete(demo))
    except IntegrityError:
        return False
    return True
