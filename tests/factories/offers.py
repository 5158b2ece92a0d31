"""Builders for offers: requests and offers inserted straight into their tables (so that offer
tests choose windows, quantities and statuses freely), and clients bound to an organisation."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from service.db.tables import (
    OfferRecord,
    ResourceRequestRecord,
    ServiceRecordRecord,
    VolunteerRecord,
)
from service.domain.access import Scope
from service.domain.identity import mask_phone
from service.usecases.clients import create_client
from service.usecases.common import Services
from tests.factories.partners import mobile
from tests.factories.registry import BEISHAN

_serial = itertools.count(1)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def _insert(services: Services, record: Any) -> Any:
    async with services.database.session() as session:
        session.add(record)
        await session.commit()
    return record


async def add_request(
    services: Services,
    station_id: uuid.UUID | str,
    *,
    quantity: int = 10,
    unit: str = "people",
    category: str = "volunteer_service",
    status: str = "open",
    committed_quantity: int = 0,
    starts_at: datetime | None = None,
    lasts: timedelta = timedelta(hours=3),
    title: str | None = None,
    division_code: str = BEISHAN,
    required_skills: list[str] | None = None,
    preferred_skills: list[str] | None = None,
) -> ResourceRequestRecord:
    """A request row; its window began an hour ago by default (so offers can be completed)."""
    starts = starts_at or now() - timedelta(hours=1)
    stamp = now()
    return await _insert(
        services,
        ResourceRequestRecord(
            id=uuid.uuid4(),
            station_id=uuid.UUID(str(station_id)),
            district_code=division_code[:6],
            division_code=division_code,
            title=title or f"独居老人入户探访{next(_serial)}",
            category=category,
            required_skills=["home_visits"] if required_skills is None else required_skills,
            preferred_skills=preferred_skills or [],
            target_groups=["elderly"],
            quantity=quantity,
            unit=unit,
            starts_at=starts,
            ends_at=starts + lasts,
            urgency="normal",
            status=status,
            committed_quantity=committed_quantity,
            fulfilled_quantity=0,
            version=1,
            created_at=stamp,
            updated_at=stamp,
        ),
    )


async def add_offer(
    services: Services,
    request: ResourceRequestRecord,
    provider_type: str,
    provider_id: uuid.UUID | str,
    *,
    quantity: int = 1,
    status: str = "proposed",
    lapse_reason: str | None = None,
    expires_in: timedelta = timedelta(hours=48),
    created_at: datetime | None = None,
) -> OfferRecord:
    """An offer row of the request to one provider, with the request's window."""
    stamp = created_at or now()
    return await _insert(
        services,
        OfferRecord(
            id=uuid.uuid4(),
            request_id=request.id,
            station_id=request.station_id,
            provider_type=provider_type,
            provider_id=uuid.UUID(str(provider_id)),
            quantity=quantity,
            status=status,
            lapse_reason=lapse_reason,
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            expires_at=now() + expires_in,
            score=0.8,
            explanation=[
                {"component": "skill_coverage", "value": 1.0, "weight": 0.3, "contribution": 0.3}
            ],
            responded_on_behalf=False,
            version=1,
            created_at=stamp,
            updated_at=stamp,
        ),
    )


async def add_offers(
    services: Services,
    request: ResourceRequestRecord,
    provider_type: str,
    provider_ids: list[str],
    **overrides: Any,
) -> list[OfferRecord]:
    """One offer per provider, in one transaction (many rows quickly)."""
    stamp = now()
    records = [
        OfferRecord(
            id=uuid.uuid4(),
            request_id=request.id,
            station_id=request.station_id,
            provider_type=provider_type,
            provider_id=uuid.UUID(str(provider_id)),
            quantity=overrides.get("quantity", 1),
            status="proposed",
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            expires_at=stamp + timedelta(hours=48),
            explanation=[],
            responded_on_behalf=False,
            version=1,
            created_at=stamp,
            updated_at=stamp,
        )
        for provider_id in provider_ids
    ]
    async with services.database.session() as session:
        session.add_all(records)
        await session.commit()
    return records


async def load_request(services: Services, request_id: uuid.UUID) -> ResourceRequestRecord:
    async with services.database.session() as session:
        record = await session.get(ResourceRequestRecord, request_id)
        assert record is not None
        return record


async def count_offers(services: Services, **where: Any) -> int:
    query = select(func.count()).select_from(OfferRecord)
    for column, value in where.items():
        query = query.where(getattr(OfferRecord, column) == value)
    async with services.database.engine.connect() as connection:
        return int((await connection.execute(query)).scalar() or 0)


async def service_records(services: Services) -> list[ServiceRecordRecord]:
    async with services.database.session() as session:
        rows = await session.execute(
            select(ServiceRecordRecord).order_by(ServiceRecordRecord.hours)
        )
        return list(rows.scalars())


@asynccontextmanager
async def organisation_client(
    app: FastAPI,
    services: Services,
    organisation_id: uuid.UUID | str,
    *scopes: Scope,
    name: str = "provider",
) -> AsyncIterator[httpx.AsyncClient]:
    """A client bound to an organisation (`linkage clients create --organisation ID`)."""
    issued = await create_client(
        services,
        name=name,
        scopes=scopes or (Scope.OFFERS_RESPOND,),
        organisation_id=uuid.UUID(str(organisation_id)),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {issued.api_key}"},
    ) as client:
        client.client_id = issued.record.id  # type: ignore[attr-defined]
        yield client


def url(offer: OfferRecord | dict[str, Any], action: str | None = None) -> str:
    identifier = offer["id"] if isinstance(offer, dict) else offer.id
    return f"/v1/offers/{identifier}" + (f"/{action}" if action else "")


async def add_volunteers(services: Services, count: int) -> list[str]:
    """Volunteer rows, their phones sealed as the registry seals them (many quickly)."""
    records = []
    for _ in range(count):
        number = mobile()
        stamp = now()
        records.append(
            VolunteerRecord(
                id=uuid.uuid4(),
                name=f"志愿者{next(_serial)}",
                phone_ciphertext=services.vault.encrypt(number, field="phone"),
                phone_masked=mask_phone(number),
                skills=["home_visits"],
                service_area=[BEISHAN],
                hours_per_week=4,
                version=1,
                created_at=stamp,
                updated_at=stamp,
            )
        )
    async with services.database.session() as session:
        session.add_all(records)
        await session.commit()
    return [str(record.id) for record in records]
