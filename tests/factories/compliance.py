"""Builders for supervision sessions, training courses, evaluations and surveys (bodies)."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from typing import Any

import httpx

from service.db.tables import (
    SupervisionSessionRecord,
    SupervisionSessionVersionRecord,
    TrainingRecordRecord,
    utcnow,
)
from service.usecases.common import Services

_serial = itertools.count(1)


def session_body(
    station_id: uuid.UUID | str,
    supervisor: tuple[str, uuid.UUID | str],
    attendees: list[Any],
    **overrides: Any,
) -> dict[str, Any]:
    """A group session held on 2026-03-15 at the station."""
    body: dict[str, Any] = {
        "station_id": str(station_id),
        "supervisor": {"type": supervisor[0], "id": str(supervisor[1])},
        "held_on": "2026-03-15",
        "duration_minutes": 120,
        "form": "group",
        "topics": ["个案评估", "服务记录规范"],
        "attendees": [str(attendee) for attendee in attendees],
        "summary": "讨论了独居老人个案的风险评估。\n下次督导前完成服务计划修订。",
    }
    body.update(overrides)
    return body


def course_body(attendees: list[Any], **overrides: Any) -> dict[str, Any]:
    """A continuing-education course of 24 hours, completed on 2026-03-20."""
    body: dict[str, Any] = {
        "kind": "continuing_education",
        "provider": None,
        "course_title": f"个案管理实务{next(_serial)}",
        "completed_on": "2026-03-20",
        "hours": 24,
        "attendees": [{"social_worker_id": str(attendee)} for attendee in attendees],
    }
    body.update(overrides)
    return body


def evaluation_body(station_id: uuid.UUID | str, **overrides: Any) -> dict[str, Any]:
    """An evaluation of 2025 with two dimensions scored and a survey's counts."""
    body: dict[str, Any] = {
        "station_id": str(station_id),
        "period_from": "2025-01-01",
        "period_to": "2025-12-31",
        "evaluator": "杭州市民政局",
        "scores": {"facilities": 90, "services": 85},
        "satisfaction": {
            "very_satisfied": 40,
            "satisfied": 45,
            "neutral": 10,
            "dissatisfied": 4,
            "very_dissatisfied": 1,
        },
        "outcome": "passed",
    }
    body.update(overrides)
    return body


def survey_body(station_id: uuid.UUID | str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "station_id": str(station_id),
        "period_from": "2026-01-01",
        "period_to": "2026-03-31",
        "method": "questionnaire",
        "very_satisfied": 12,
        "satisfied": 20,
        "neutral": 6,
        "dissatisfied": 1,
        "very_dissatisfied": 1,
    }
    body.update(overrides)
    return body


async def posted(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def day(text: str) -> date:
    return date.fromisoformat(text)


async def add_session(
    services: Services,
    station_id: uuid.UUID | str,
    held_on: date,
    *,
    supervisor: tuple[str, uuid.UUID | str] | None = None,
    status: str = "recorded",
) -> uuid.UUID:
    """A supervision session row (and its first version), any day, any status."""
    kind, party = supervisor or ("social_worker", uuid.uuid4())
    now = utcnow()
    values: dict[str, Any] = {
        "station_id": uuid.UUID(str(station_id)),
        "supervisor_type": kind,
        "supervisor_id": uuid.UUID(str(party)),
        "held_on": held_on,
        "duration_minutes": 90,
        "form": "group",
        "topics": ["个案评估"],
        "attendees": [],
        "summary": "督导记录",
        "status": status,
        "recorded_by_client_id": uuid.uuid4(),
    }
    record = SupervisionSessionRecord(
        id=uuid.uuid4(), version=1, created_at=now, updated_at=now, **values
    )
    async with services.database.session() as session:
        session.add(record)
        await session.flush()
        session.add(
            SupervisionSessionVersionRecord(
                session_id=record.id, version=1, recorded_at=now, **values
            )
        )
        await session.commit()
    return record.id


async def add_training(
    services: Services,
    social_worker_id: uuid.UUID | str,
    completed_on: date,
    hours: float,
    *,
    status: str = "recorded",
    kind: str = "continuing_education",
) -> uuid.UUID:
    """A training record row, any day, any status."""
    now = utcnow()
    record = TrainingRecordRecord(
        id=uuid.uuid4(),
        social_worker_id=uuid.UUID(str(social_worker_id)),
        kind=kind,
        course_title=f"培训{next(_serial)}",
        completed_on=completed_on,
        hours=hours,
        batch_id=uuid.uuid4(),
        status=status,
        recorded_by_client_id=uuid.uuid4(),
        version=1,
        created_at=now,
        updated_at=now,
    )
    async with services.database.session() as session:
        session.add(record)
        await session.commit()
    return record.id
