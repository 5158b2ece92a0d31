"""Builders for social workers and universities: request bodies and creation over the API."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.factories.partners import mobile, resident_id, uscc

_serial = itertools.count(1)


def certificate_number() -> str:
    """A fresh certificate number (letters in it: never mistaken for a phone or an ID)."""
    return f"ZJ-{next(_serial):06d}"


def social_worker_body(**overrides: Any) -> dict[str, Any]:
    """A certified full-time worker with no station; override what the test is about."""
    body: dict[str, Any] = {
        "name": "李晓梅",
        "id_number": resident_id(),
        "phone": mobile(),
        "certificate_level": "intermediate",
        "certificate_number": certificate_number(),
        "employment": "full_time",
        "supervisor_level": "none",
        "skills": ["casework", "elderly_care"],
        "service_area": ["330106"],
        "weekly_hours": 40,
    }
    body.update(overrides)
    return body


async def create_social_worker(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/social-workers", json=social_worker_body(**overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def university_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "浙江工业大学",
        "uscc": uscc("12"),
        "schools": ["公共管理学院", "社会工作系"],
        "offers": ["practice_base", "internship", "supervision"],
        "service_area": ["330106"],
        "location": {"lat": 30.29, "lon": 120.16},
        "contact_name": "陈老师",
        "contact_phone": mobile(),
        "contact_email": "shegong@example.edu.cn",
    }
    body.update(overrides)
    return body


async def create_university(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/universities", json=university_body(**overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
