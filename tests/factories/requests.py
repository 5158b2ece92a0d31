"""Builders for resource requests, over the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx

from tests.factories.registry import BEISHAN

CHINA = timezone(timedelta(hours=8))


def instant(moment: datetime) -> str:
    """A written-out instant, in China Standard Time as stations write them."""
    return moment.astimezone(CHINA).isoformat()


def window(starts_in: timedelta = timedelta(days=1), lasts: timedelta = timedelta(days=7)) -> dict:
    """A window that starts `starts_in` from now and lasts `lasts`."""
    starts_at = datetime.now(UTC).replace(microsecond=0) + starts_in
    return {"starts_at": instant(starts_at), "ends_at": instant(starts_at + lasts)}


def request_body(station_id: str, /, **overrides: Any) -> dict[str, Any]:
    """A valid request of 5 volunteers for elderly home visits in 北山街道 (BEISHAN), next week.

    The division defaults to BEISHAN, the township `create_station` uses by default: pass
    `division_code=` for a station elsewhere.
    """
    body: dict[str, Any] = {
        "station_id": str(station_id),
        "title": "独居老人入户探访",
        "description": "每周两次上门探访独居老人，陪伴聊天并检查居家安全。",
        "category": "volunteer_service",
        "required_skills": ["home_visits", "companionship"],
        "target_groups": ["elderly"],
        "quantity": 5,
        "unit": "people",
        "division_code": BEISHAN,
        "location": {"lat": 30.2590, "lon": 120.1450},
        "window": window(),
        "urgency": "normal",
    }
    body.update(overrides)
    return body


async def create_request(
    client: httpx.AsyncClient, station_id: str, /, **overrides: Any
) -> dict[str, Any]:
    """POST a request (see `request_body` for the defaults) and return its representation."""
    response = await client.post(
        "/v1/resource-requests", json=request_body(station_id, **overrides)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
