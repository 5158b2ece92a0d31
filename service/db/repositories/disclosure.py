"""What decides whose personal data a bound client may read: the persons' ties, and SQL that
narrows a query to the persons a binding may read."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, literal, or_, select, true, union_all

from service.db.reader import Reader, Row
from service.db.tables import (
    OfferRecord,
    OrganisationRecord,
    ServiceRecordRecord,
    SocialWorkerRecord,
    UniversityRecord,
    VolunteerRecord,
    table,
)
from service.domain.access import PersonKind
from service.domain.requests import OfferStatus

offer = table(OfferRecord)
service_record = table(ServiceRecordRecord)

PERSON_TABLES: dict[PersonKind, Table] = {
    PersonKind.SOCIAL_WORKER: table(SocialWorkerRecord),
    PersonKind.VOLUNTEER: table(VolunteerRecord),
    PersonKind.ORGANISATION_CONTACT: table(OrganisationRecord),
    PersonKind.UNIVERSITY_CONTACT: table(UniversityRecord),
}
_TIES = ("station_id", "employer_organisation_id", "steward_station_id", "steward_organisation_id")


def _ties(kind: PersonKind, source: Table) -> list[ColumnElement[Any]]:
    """The columns that tie a person to a station or an organisation (null where none exists)."""
    columns: list[ColumnElement[Any]] = []
    for name in _TIES:
        if name in source.c:
            columns.append(source.c[name].label(name))
        elif name == "employer_organisation_id" and kind is PersonKind.ORGANISATION_CONTACT:
            columns.append(source.c.id.label(name))  # an organisation's contact works for it
        else:
            columns.append(literal(None, type_=source.c.id.type).label(name))
    return columns


async def ties_of(reader: Reader, kind: PersonKind, ids: Collection[uuid.UUID]) -> list[Row]:
    """Each person's id and ties."""
    if not ids:
        return []
    source = PERSON_TABLES[kind]
    query = select(source.c.id, *_ties(kind, source)).where(source.c.id.in_(list(ids)))
    return await reader.fetch_all(query)


def _serving_offers(station_id: uuid.UUID, now: datetime) -> ColumnElement[bool]:
    """Offers of the station's requests that tie their provider to it: live, accepted or done."""
    return (offer.c.station_id == station_id) & (
        offer.c.status.in_([OfferStatus.ACCEPTED.value, OfferStatus.COMPLETED.value])
        | ((offer.c.status == OfferStatus.PROPOSED.value) & (offer.c.expires_at > now))
    )


def served_station_query(station_id: uuid.UUID, now: datetime) -> Any:
    """(provider_type, provider_id) of the persons serving the station's requests: offers made
    to them, and the team members recorded in its volunteer-hour ledger."""
    offered = select(offer.c.provider_type, offer.c.provider_id).where(
        _serving_offers(station_id, now),
        offer.c.provider_type.in_([kind.value for kind in PersonKind.natural()]),
    )
    recorded = (
        select(
            literal(PersonKind.VOLUNTEER.value).label("provider_type"),
            service_record.c.volunteer_id.label("provider_id"),
        )
        .select_from(service_record.join(offer, offer.c.id == service_record.c.offer_id))
        .where(offer.c.station_id == station_id)
    )
    return union_all(offered, recorded)


async def served_station(
    reader: Reader, station_id: uuid.UUID, *, now: datetime
) -> set[tuple[str, uuid.UUID]]:
    """The persons serving the station's requests, as (kind, id)."""
    rows = await reader.fetch_all(served_station_query(station_id, now).subquery().select())
    return {(row["provider_type"], uuid.UUID(str(row["provider_id"]))) for row in rows}


def readable_persons(
    kind: PersonKind,
    *,
    station_id: uuid.UUID | None,
    organisation_id: uuid.UUID | None,
    now: datetime,
) -> ColumnElement[bool]:
    """A condition on the person's table: the persons a bound client with `pii:read` may read
    (mirrors `Caller.may_read_person`)."""
    source = PERSON_TABLES[kind]
    if station_id is not None:
        served = served_station_query(station_id, now).subquery()
        conditions = [
            source.c.steward_station_id == station_id,
            source.c.id.in_(
                select(served.c.provider_id).where(served.c.provider_type == kind.value)
            ),
        ]
        if "station_id" in source.c:
            conditions.append(source.c.station_id == station_id)
        return or_(*conditions)
    if organisation_id is not None:
        conditions = [source.c.steward_organisation_id == organisation_id]
        if "employer_organisation_id" in source.c:
            conditions.append(source.c.employer_organisation_id == organisation_id)
        return or_(*conditions)
    return true()
