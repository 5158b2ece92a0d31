"""The volunteer-hour ledger (志愿服务记录, 民政部令第67号): written when a volunteer's or a
team's offer is completed, read per volunteer and exported as CSV for Excel."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.db.reader import Reader, Row
from service.db.repositories.keyset import encode_key
from service.db.repositories.offers import ServiceRecordRepository, add
from service.db.tables import ServiceRecordRecord
from service.domain.access import Caller, PersonKind
from service.domain.errors import NotFound, RuleViolation
from service.domain.service_records import LedgerEntry, ServiceRecordFilter
from service.schemas.offers import service_record_view, service_records_csv
from service.usecases.common import KeysetPage, Services
from service.usecases.disclosure import disclosure

MAX_EXPORT_ROWS = 50_000


def record_service(
    session: AsyncSession, entries: list[LedgerEntry], *, offer_id: uuid.UUID, now: datetime
) -> None:
    """Stage one service record per entry, in the completing unit of work."""
    add(
        session,
        *(
            ServiceRecordRecord(
                id=uuid.uuid4(),
                volunteer_id=entry.volunteer_id,
                offer_id=offer_id,
                organisation_name=entry.organisation_name,
                project=entry.project,
                service_date=entry.service_date,
                hours=entry.hours,
                content=entry.content,
                recorder=entry.recorder,
                created_at=now,
            )
            for entry in entries
        ),
    )


async def _names_shown(
    reader: Reader, services: Services, caller: Caller, rows: list[Row]
) -> list[Row]:
    """Ledger rows with each volunteer's name as the caller may see it."""
    kind = PersonKind.VOLUNTEER
    persons = [(kind, row["volunteer_id"]) for row in rows]
    shown = await disclosure(reader, caller, persons, now=services.clock())
    return [
        row | {"volunteer_name": shown.name(kind, row["volunteer_id"], row["volunteer_name"])}
        for row in rows
    ]


def _seen_by(caller: Caller, where: ServiceRecordFilter) -> ServiceRecordFilter:
    """A bound client reads the records of its station's offers, or of its organisation's."""
    return dataclasses.replace(
        where, visible_to_station=caller.station_id, visible_to_organisation=caller.organisation_id
    )


async def list_service_records(
    services: Services,
    *,
    caller: Caller,
    volunteer_id: uuid.UUID,
    where: ServiceRecordFilter,
    after: str | None,
    limit: int,
) -> KeysetPage[dict[str, Any]]:
    """A page of one volunteer's service records in date order, as the values ServiceRecordRead
    shows."""
    where = _seen_by(caller, dataclasses.replace(where, volunteer_id=volunteer_id))
    async with services.database.read() as reader:
        records = ServiceRecordRepository(reader)
        if not await records.volunteer_exists(volunteer_id):
            raise NotFound(f"no volunteer with id {volunteer_id}", code="volunteer_not_found")
        rows = await _names_shown(
            reader, services, caller, await records.list(where, key=after, limit=limit + 1)
        )
    return KeysetPage.of(
        [service_record_view(row).values for row in rows],
        limit=limit,
        key=lambda record: encode_key(record["service_date"].isoformat(), record["id"]),
    )


async def export_service_records(
    services: Services, *, caller: Caller, where: ServiceRecordFilter
) -> bytes:
    """The ledger as CSV (UTF-8 with a BOM, MCA field names); too many rows: narrow it first."""
    async with services.database.read() as reader:
        rows = await ServiceRecordRepository(reader).list(
            _seen_by(caller, where), key=None, limit=MAX_EXPORT_ROWS + 1
        )
        if len(rows) > MAX_EXPORT_ROWS:
            raise RuleViolation(
                f"more than {MAX_EXPORT_ROWS} records match; narrow the dates, station or"
                " volunteer",
                code="export_too_large",
            )
        rows = await _names_shown(reader, services, caller, rows)
    return service_records_csv(rows)
