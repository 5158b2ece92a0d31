"""Bulk upsert benchmark: 10,000 organisation lines through POST /v1/bulk/organisations.

Runs the real app in-process (httpx over ASGI: API key, scope, body limit, parsing, validation,
the use case, the database) on a freshly migrated database, and times each load end to end:

1. `create`: 10,000 new lines (NDJSON);
2. `unchanged`: the same file again (every line is looked up, compared, left alone);
3. `update`: the same external ids with a new name each (every line rewritten);
4. `csv-mixed`: 10,000 new lines as CSV, one in ten bad (rejected with its problem).

    bench/bulk.sh                 (or: make bench-bulk)  SQLite and PostgreSQL
    python bench/bulk.py --database-url sqlite+aiosqlite:///var/bench-bulk.db
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from service.db.engine import Database, build_engine
from service.db.migrate import upgrade
from service.domain.access import Scope
from service.main import create_app
from service.settings import Settings
from service.usecases.clients import create_client

RESULTS = Path(__file__).resolve().parent / "results"
USCC_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check(first17: str) -> str:
    """GB 32100-2015 §5: the check character of the first 17."""
    total = sum(USCC_CHARACTERS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    value = 31 - total % 31
    return "0" if value == 31 else USCC_CHARACTERS[value]


def uscc(number: int) -> str:
    """A valid, distinct Unified Social Credit Code for each number."""
    body = ""
    for _ in range(8):
        number, digit = divmod(number, 31)
        body = USCC_CHARACTERS[digit] + body
    first17 = f"52330106M{body}"
    return first17 + uscc_check(first17)


def organisation(n: int, *, prefix: str, name: str = "阳光") -> dict[str, Any]:
    return {
        "external_id": f"{prefix}-{n}",
        "name": f"杭州市西湖区{name}{n}号社会工作服务中心",
        "uscc": uscc(n if prefix == "org" else 1_000_000 + n),
        "kind": "social_work_agency",
        "is_social_work_agency": True,
        "service_categories": ["professional_service"],
        "skills": ["casework", "elderly_care"],
        "service_area": ["330106", "330106002"],
        "location": {"lat": 30.27, "lon": 120.13},
        "capacity": {"amount": 40, "unit": "people"},
        "contact_name": "王敏",
        "contact_phone": f"139{n:08d}",
    }


def ndjson(lines: list[dict[str, Any]]) -> bytes:
    return b"".join(orjson.dumps(line) + b"\n" for line in lines)


def as_csv(lines: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    names = list(lines[0])
    writer.writerow(names)
    for line in lines:
        cells = []
        for name in names:
            value = line[name]
            if isinstance(value, bool):
                cells.append("true" if value else "false")
            elif isinstance(value, (list, dict)):
                cells.append(orjson.dumps(value).decode())
            else:
                cells.append(str(value))
        writer.writerow(cells)
    return out.getvalue().encode()


async def load(client: httpx.AsyncClient, body: bytes, media_type: str) -> dict[str, Any]:
    started = time.perf_counter()
    response = await client.post(
        "/v1/bulk/organisations", content=body, headers={"Content-Type": media_type}
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    job = response.json()
    counts = {k: job[k] for k in ("created", "updated", "unchanged", "rejected")}
    return {
        "seconds": round(elapsed, 2),
        "lines_per_second": round(job["lines"] / elapsed),
        **counts,
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args()

    settings = Settings(database_url=args.database_url, access_log=False, _env_file=None)  # type: ignore[call-arg]
    database = Database(build_engine(settings))
    await upgrade(database)
    await database.dispose()
    app = create_app(settings)
    n = args.lines
    first = [organisation(i, prefix="org") for i in range(n)]
    renamed = [organisation(i, prefix="org", name="新光") for i in range(n)]
    mixed = [organisation(i, prefix="csv") for i in range(n)]
    for i in range(0, n, 10):
        mixed[i]["service_area"] = ["999999"]  # not a Hangzhou division: rejected
    results: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        key = (
            await create_client(app.state.services, name="bench", scopes=[Scope.REGISTRY_WRITE])
        ).api_key
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://bench",
            headers={"Authorization": f"Bearer {key}"},
            timeout=600,
        ) as client:
            for name, body, media_type in (
                ("create", ndjson(first), "application/x-ndjson"),
                ("unchanged", ndjson(first), "application/x-ndjson"),
                ("update", ndjson(renamed), "application/x-ndjson"),
                ("csv-mixed", as_csv(mixed), "text/csv"),
            ):
                results[name] = await load(client, body, media_type)
                print(f"{name:10} {json.dumps(results[name])}", flush=True)
    backend = "postgresql" if args.database_url.startswith("postgresql") else "sqlite"
    summary = {
        "database": backend,
        "lines": n,
        "load_average_after": os.getloadavg(),
        "loads": results,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"bulk-{backend}.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
