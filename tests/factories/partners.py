"""Builders for partners: valid identifiers and request bodies."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.factories.identifiers import (
    MOBILE_PREFIXES,
    USCC_CHARACTERS,
    resident_id_check,
    uscc_check,
)

_serial = itertools.count(1)


def uscc(category: str = "52", region: str = "330106") -> str:
    """A fresh, valid Unified Social Credit Code of the given registration category."""
    number = next(_serial)
    body = ""
    for _ in range(8):
        number, digit = divmod(number, 31)
        body = USCC_CHARACTERS[digit] + body
    # A letter up front, as real codes have (MA…): an all-digit code would look like an ID number.
    first17 = f"{category}{region}M{body}"
    return first17 + uscc_check(first17)


def resident_id(born: str = "19900101", region: str = "330106") -> str:
    """A fresh, valid 18-digit resident identity number."""
    first17 = f"{region}{born}{next(_serial) % 1000:03d}"
    return first17 + resident_id_check(first17)


def mobile() -> str:
    """A fresh, well-formed mobile number; the prefixes take turns (13x to 19x)."""
    number = next(_serial)
    return f"{MOBILE_PREFIXES[number % len(MOBILE_PREFIXES)]}{number:08d}"


def organisation_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "杭州市西湖区阳光社会工作服务中心",
        "uscc": uscc("52"),
        "kind": "social_work_agency",
        "is_social_work_agency": True,
        "service_categories": ["professional_service", "volunteer_service"],
        "skills": ["casework", "elderly_care"],
        "service_area": ["330106"],
        "location": {"lat": 30.27, "lon": 120.13},
        "capacity": {"amount": 40, "unit": "people"},
        "contact_name": "王敏",
        "contact_phone": mobile(),
    }
    body.update(overrides)
    return body


async def create_organisation(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/organisations", json=organisation_body(**overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
