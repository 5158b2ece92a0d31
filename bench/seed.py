"""Seed a benchmark database: two API clients, then one station per township through the API.

    LINKAGE_DATABASE_URL=postgresql+asyncpg://… python bench/seed.py \
        --base-url http://127.0.0.1:PORT --out DIR

The clients are created with the service's own use case (`create_client`): a `registry:write` one
to register the stations and a `registry:read` one for the load. Every township that needs a
station (division rows with level 'township' and needs_station) gets one, registered with
`POST /v1/stations` on the running service, so the rows are what the real write path stores.
Writes `DIR/ids.txt` (one station id a line) and `DIR/api_key` (the read key).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from service.db.engine import Database, build_engine
from service.db.tables import DivisionRecord, table
from service.domain.access import Scope
from service.domain.vocabulary import (
    Facility,
    FocusGroup,
    ManagementSystem,
    OperatingMode,
    Specialty,
)
from service.pii import PiiVault
from service.settings import Settings
from service.usecases import clients
from service.usecases.common import Services

EXPECTED_STATIONS = 191
CONCURRENCY = 8

# Rough centres of Hangzhou's districts, so each station sits near its township's district.
DISTRICT_CENTRES: dict[str, tuple[float, float]] = {
    "330102": (30.243, 120.171),
    "330105": (30.319, 120.142),
    "330106": (30.259, 120.100),
    "330108": (30.208, 120.212),
    "330109": (30.162, 120.264),
    "330110": (30.375, 119.986),
    "330111": (30.049, 119.960),
    "330112": (30.233, 119.724),
    "330113": (30.419, 120.299),
    "330114": (30.306, 120.489),
    "330122": (29.797, 119.691),
    "330127": (29.609, 119.042),
    "330182": (29.474, 119.281),
}
ROADS = ("解放路", "延安路", "文三路", "莫干山路", "环城北路", "江南大道", "人民路", "文化路")
SERVICE_ITEMS: tuple[tuple[str, str], ...] = (
    ("独居老人定期探访", "elderly_care"),
    ("困境儿童个案辅导", "casework"),
    ("四点半课堂", "child_care"),
    ("低保家庭走访评估", "social_assistance"),
    ("青少年成长小组", "group_work"),
    ("邻里节社区活动", "community_work"),
    ("未成年人保护宣传", "minor_protection"),
    ("公益创投项目孵化", "charity_incubation"),
    ("社区社会组织培育", "social_organisation_incubation"),
    ("残疾人康复支持", "disability_support"),
    ("居民议事会", "community_governance"),
    ("志愿者招募与培训", "volunteer_service"),
    ("慈善资源对接", "resource_linkage"),
    ("社工督导与能力建设", "capacity_building"),
)


def _some(rng: random.Random, values: list[Any], low: int, high: int) -> list[str]:
    return [v.value for v in rng.sample(values, rng.randint(low, min(high, len(values))))]


def station_body(rng: random.Random, township: DivisionRecord, *, year: int) -> dict[str, Any]:
    """A plausible registration of a township's station, at a random stage of its life."""
    status = rng.choices(("operating", "suspended", "building", "planned"), weights=(70, 8, 14, 8))[
        0
    ]
    running = status in ("operating", "suspended")
    body: dict[str, Any] = {"township_code": township.code, "status": status}
    if status != "planned":
        body["operating_mode"] = rng.choices(
            (OperatingMode.PURCHASED_SERVICE.value, OperatingMode.TOWNSHIP_POSTS.value),
            weights=(3, 1),
        )[0]
        body["facilities"] = _some(rng, list(Facility), 4 if running else 1, 4)
        body["management_systems"] = _some(rng, list(ManagementSystem), 3 if running else 0, 5)
        body["focus_groups"] = _some(rng, list(FocusGroup), 2, 4)
        body["specialties"] = _some(rng, list(Specialty), 1, 2)
        body["service_items"] = [
            {"title": title, "category": category}
            for title, category in rng.sample(SERVICE_ITEMS, rng.randint(3, 8) if running else 1)
        ]
    if running and rng.random() < 0.25:
        body["is_demonstration"] = True
        body["demonstration_year"] = rng.randint(2021, year)
    lat, lon = DISTRICT_CENTRES.get(township.district_code or "", (30.25, 120.15))
    body["location"] = {
        "lat": round(lat + rng.uniform(-0.04, 0.04), 6),
        "lon": round(lon + rng.uniform(-0.04, 0.04), 6),
    }
    body["address"] = f"{township.name}{rng.choice(ROADS)}{rng.randint(1, 999)}号"
    body["contact_phone"] = f"0571-8{rng.randint(0, 9_999_999):07d}"
    return body


async def _issue_keys(services: Services) -> tuple[str, str]:
    writer = await clients.create_client(services, name="bench-seed", scopes=[Scope.REGISTRY_WRITE])
    reader = await clients.create_client(services, name="bench", scopes=[Scope.REGISTRY_READ])
    return writer.api_key, reader.api_key


async def _townships(database: Database) -> list[DivisionRecord]:
    division = table(DivisionRecord)
    query = (
        select(division)
        .where(division.c.level == "township", division.c.needs_station.is_(True))
        .order_by(division.c.code)
    )
    async with database.read() as reader:
        rows = await reader.fetch_all(query)
    return [DivisionRecord.model_validate(row) for row in rows]


async def _register(http: httpx.AsyncClient, body: dict[str, Any], gate: asyncio.Semaphore) -> str:
    async with gate:
        response = await http.post("/v1/stations", json=body)
    if response.status_code == 409 and response.json().get("code") == "station_exists":
        return str(response.json()["existing_station_id"])
    if response.status_code != 201:
        raise RuntimeError(f"POST /v1/stations {body['township_code']}: {response.text}")
    return str(response.json()["id"])


async def seed(base_url: str, rng_seed: int) -> tuple[list[str], str]:
    """Issue the keys and register the stations: the stations' ids and the read key."""
    settings = Settings()
    database = Database(build_engine(settings))
    try:
        services = Services(database=database, vault=PiiVault.from_settings(settings))
        write_key, read_key = await _issue_keys(services)
        townships = await _townships(database)
    finally:
        await database.dispose()
    rng = random.Random(rng_seed)
    year = datetime.now(UTC).year
    bodies = [station_body(rng, township, year=year) for township in townships]
    gate = asyncio.Semaphore(CONCURRENCY)
    headers = {"Authorization": f"Bearer {write_key}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
        ids = await asyncio.gather(*(_register(http, body, gate) for body in bodies))
    return list(ids), read_key


def main() -> int:
    """Parse the arguments and seed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="the running service")
    parser.add_argument("--out", required=True, type=Path, help="where to write ids and the key")
    parser.add_argument("--seed", type=int, default=20211126, help="random seed of field values")
    args = parser.parse_args()
    ids, read_key = asyncio.run(seed(args.base_url, args.seed))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ids.txt").write_text("".join(f"{station_id}\n" for station_id in ids))
    (args.out / "api_key").write_text(read_key + "\n")
    print(f"seeded {len(ids)} stations through POST /v1/stations", file=sys.stderr)
    if len(ids) != EXPECTED_STATIONS:
        note = f"{EXPECTED_STATIONS} townships needed a station when this was written"
        print(f"note: {note}", file=sys.stderr)
    return 0 if ids else 1


if __name__ == "__main__":
    sys.exit(main())
