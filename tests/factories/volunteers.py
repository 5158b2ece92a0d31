"""Builders for volunteers, volunteer teams and charity resources: request bodies and creation."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories.partners import create_organisation, mobile, resident_id, uscc


async def create_partner_organisation(
    client: httpx.AsyncClient, **overrides: Any
) -> dict[str, Any]:
    """An organisation whose USCC has a letter before its check character: one of 17 digits
    reads like a resident ID number to the session's PII scan."""
    while (code := uscc(overrides.pop("category", "52")))[:17].isdigit():
        pass
    return await create_organisation(client, uscc=code, **overrides)


def resident_id_ending_in_x() -> str:
    """A fresh, valid resident identity number whose check character is `X`."""
    while not (number := resident_id()).endswith("X"):
        pass
    return number


def volunteer_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "李晓华",
        "phone": mobile(),
        "id_number": resident_id(),
        "skills": ["home_visits", "companionship"],
        "service_area": ["330106002"],
        "home_location": {"lat": 30.2634, "lon": 120.1371},
        "availability": {
            "weekly": [
                {"weekday": 6, "start": "09:00", "end": "12:00"},
                {"weekday": 2, "start": "18:30", "end": "20:30"},
            ],
            "exceptions": [{"date": "2026-10-01", "available": False, "note": "国庆"}],
        },
        "hours_per_week": 5,
    }
    body.update(overrides)
    return body


def volunteer_without_id_number(**overrides: Any) -> dict[str, Any]:
    """A volunteer with no ID number, for tests that register more than `resident_id` makes
    distinct numbers for (1,000 per birth date)."""
    body = volunteer_body(**overrides)
    del body["id_number"]
    return body


async def create_volunteer(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/volunteers", json=volunteer_body(**overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def team_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "北山街道邻里守望志愿服务队",
        "skills": ["home_visits", "event_support"],
        "service_area": ["330106002"],
        "capacity_people": 12,
    }
    body.update(overrides)
    return body


async def create_team(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/volunteer-teams", json=team_body(**overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def resource_body(offered_by: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organisation_id": offered_by,
        "title": "独居老人助餐补贴",
        "kind": "funds",
        "total_quantity": 50_000,
        "unit": "yuan",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "target_groups": ["elderly", "low_income_families"],
        "service_area": ["330106"],
        "restrictions": "仅限辖区内80周岁以上独居老人。\n按月发放。",
    }
    body.update(overrides)
    return body


async def create_resource(
    client: httpx.AsyncClient, offered_by: str, **overrides: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/charity-resources", json=resource_body(offered_by, **overrides)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
