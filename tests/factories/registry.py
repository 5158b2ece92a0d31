"""Builders for stations and offices, over the API."""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files
from typing import Any

import httpx


@cache
def divisions() -> list[dict[str, str]]:
    source = files("service.data").joinpath("hangzhou_divisions.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(source.splitlines()))


def townships(*, needing_station: bool = True) -> list[dict[str, str]]:
    """Township-level divisions, those that need a station (digits 001–399) by default."""
    return [
        row
        for row in divisions()
        if row["level"] == "township" and (int(row["code"][6:9]) < 400) == needing_station
    ]


def communities_of(township_code: str) -> list[dict[str, str]]:
    return [row for row in divisions() if row["parent_code"] == township_code]


def name_of(code: str) -> str:
    return next(row["name"] for row in divisions() if row["code"] == code)


# 西湖区 北山街道 (330106002) and its first community: the examples most tests use.
QINGBO = "330102001"  # 上城区 清波街道
BEISHAN = "330106002"  # 西湖区 北山街道
NON_TOWNSHIP_UNIT = townships(needing_station=False)[0]["code"]


def station_body(township_code: str = BEISHAN, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "township_code": township_code,
        "status": "operating",
        "operating_mode": "purchased_service",
        "facilities": [
            "casework_room",
            "group_activity_room",
            "multifunction_room",
            "archive_room",
        ],
        "management_systems": ["posts", "finance", "training", "volunteers", "archives"],
        "specialties": ["elderly"],
        "focus_groups": ["elderly_care", "social_assistance"],
        "service_items": [{"title": "独居老人探访", "category": "elderly_care"}],
        "address": "杭州市西湖区北山街道某路1号",
        "location": {"lat": 30.2590, "lon": 120.1450},
        "contact_phone": "0571-87000000",
    }
    body.update(overrides)
    return body


async def create_station(
    client: httpx.AsyncClient, township_code: str = BEISHAN, **overrides: Any
) -> dict[str, Any]:
    response = await client.post("/v1/stations", json=station_body(township_code, **overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def create_office(
    client: httpx.AsyncClient, community_code: str, **overrides: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/offices", json={"community_code": community_code, **overrides}
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
