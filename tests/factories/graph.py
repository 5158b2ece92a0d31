"""Builders for the linkage graph: partner rows inserted straight into their tables (so linkage
tests do not depend on the partner registries' APIs), and linkage request bodies."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from service.db.tables import (
    CharityResourceRecord,
    LinkageRecord,
    SocialWorkerRecord,
    UniversityRecord,
    VolunteerTeamRecord,
    utcnow,
)
from service.domain.identity import mask_resident_id
from service.usecases.common import Services
from tests.factories.partners import create_organisation, resident_id, uscc

_serial = itertools.count(1)


async def _insert(services: Services, record: Any) -> uuid.UUID:
    async with services.database.session() as session:
        session.add(record)
        await session.commit()
    identifier: uuid.UUID = record.id
    return identifier


def _stamps() -> dict[str, Any]:
    now = utcnow()
    return {"id": uuid.uuid4(), "version": 1, "created_at": now, "updated_at": now}


async def add_university(
    services: Services,
    *,
    name: str | None = None,
    offers: tuple[str, ...] = ("practice_base", "internship", "supervision"),
    status: str = "active",
) -> uuid.UUID:
    """A university partner row; by default it offers supervision."""
    return await _insert(
        services,
        UniversityRecord(
            name=name or f"测试大学{next(_serial)}",
            uscc=uscc("12"),
            offers=list(offers),
            service_area=["330106"],
            status=status,
            **_stamps(),
        ),
    )


async def add_social_worker(
    services: Services,
    *,
    name: str | None = None,
    station_id: uuid.UUID | str | None = None,
    office_id: uuid.UUID | str | None = None,
    certificate_level: str = "intermediate",
    employment: str = "full_time",
    supervisor_level: str = "none",
    status: str = "active",
) -> uuid.UUID:
    """A social worker row, the ID number sealed as the registry seals it."""
    number = resident_id()
    return await _insert(
        services,
        SocialWorkerRecord(
            name=name or f"社工{next(_serial)}",
            id_number_ciphertext=services.vault.encrypt(number, field="id_number"),
            id_number_index=services.vault.blind_index(number, field="id_number"),
            id_number_masked=mask_resident_id(number),
            certificate_level=certificate_level,
            certificate_number=None if certificate_level == "none" else f"ZJ-{next(_serial):06d}",
            employment=employment,
            station_id=uuid.UUID(str(station_id)) if station_id is not None else None,
            office_id=uuid.UUID(str(office_id)) if office_id is not None else None,
            supervisor_level=supervisor_level,
            status=status,
            **_stamps(),
        ),
    )


async def add_volunteer_team(
    services: Services, *, name: str | None = None, status: str = "active"
) -> uuid.UUID:
    """A volunteer team row."""
    return await _insert(
        services,
        VolunteerTeamRecord(name=name or f"志愿服务队{next(_serial)}", status=status, **_stamps()),
    )


async def add_charity_resource(
    services: Services,
    *,
    organisation_id: uuid.UUID | str,
    title: str | None = None,
    status: str = "active",
) -> uuid.UUID:
    """A charity resource row offered by an existing organisation."""
    return await _insert(
        services,
        CharityResourceRecord(
            organisation_id=uuid.UUID(str(organisation_id)),
            title=title or f"慈善物资{next(_serial)}",
            kind="goods",
            total_quantity=100,
            remaining_quantity=100,
            unit="items",
            status=status,
            **_stamps(),
        ),
    )


def linkage_body(
    station_id: uuid.UUID | str,
    partner_type: str,
    partner_id: uuid.UUID | str,
    kind: str,
    **overrides: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "station_id": str(station_id),
        "kind": kind,
        "partner_type": partner_type,
        "partner_id": str(partner_id),
        "starts_on": "2025-01-01",
        "ends_on": "2027-12-31",
        "agreement_reference": "西湖民购〔2025〕12号",
    }
    body.update(overrides)
    return body


async def create_linkage(
    client: httpx.AsyncClient,
    station_id: uuid.UUID | str,
    partner_type: str,
    partner_id: uuid.UUID | str,
    kind: str,
    **overrides: Any,
) -> dict[str, Any]:
    body = linkage_body(station_id, partner_type, partner_id, kind, **overrides)
    response = await client.post("/v1/linkages", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def linkage_count(services) -> int:
    async with services.database.engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(LinkageRecord))).scalar()


async def agency(client, **overrides) -> str:
    return (await create_organisation(client, **overrides))["id"]


def fields(response) -> list[str]:
    return [error["field"] for error in response.json().get("errors", [])]
