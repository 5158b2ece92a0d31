"""Reports benchmark: the bureau's reports at city scale, on PostgreSQL.

Seeds a migrated database directly (bulk inserts and COPY, personal data sealed as the
registries seal it), reusing the matching benchmark's seeder: every township's station (with
the plausible profiles `bench/seed.py` registers), 3,000 community offices, 5,000
organisations, 50 universities, 20,000 social workers, 100,000 volunteers, linkages,
supervision sessions, 200,000 training records, 20,000 past requests with 250,000 offers and
1,000,000 volunteer service records over two years. Then it times each report through the real
app in process (server time, no network), as JSON and as CSV and .xlsx, and a station's
compliance; and it runs EXPLAIN (ANALYZE) on every statement a report sent, listing how each
table was read.

    .venv/bin/python bench/reports.py --database-url postgresql+asyncpg://…/db [--rounds 5]

It prints a table and writes bench/results/reports.json. Timings are for reading, never for
pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from city_records import RecordsSeeder
from matching import Recorder  # the matching benchmark's record of the SQL sent
from sqlalchemy import select

from service.db.engine import Database, build_engine
from service.db.migrate import upgrade
from service.db.tables import DivisionRecord, OrganisationRecord, StationRecord, table
from service.domain.access import Scope
from service.main import create_app
from service.pii import PiiVault
from service.settings import Settings
from service.usecases.clients import create_client

RESULTS = Path(__file__).resolve().parent / "results"
NOW = datetime.now(UTC)
BIG_TABLES = {
    "service_record",
    "offer",
    "training_record",
    "volunteer",
    "social_worker",
    "resource_request",
}
REPORTS = {
    "compliance": {},
    "targets": {},
    "linkage": {},
    "volunteer-hours": {},
    "workforce": {},
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scans(plan: dict[str, Any], found: list[str]) -> list[str]:
    """How each table was read in a plan: 'Index Only Scan training_record (ix_…)' …"""
    relation = plan.get("Relation Name")
    if relation:
        index = plan.get("Index Name")
        found.append(f"{plan['Node Type']} {relation}" + (f" ({index})" if index else ""))
    for child in plan.get("Plans", []):
        scans(child, found)
    return found


async def explain(
    database_url: str, statements: list[tuple[str, list[Any]]]
) -> list[dict[str, Any]]:
    """EXPLAIN (ANALYZE, BUFFERS) every statement sent; the scans and the time of each."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    explained = []
    try:
        for sql, arguments in statements:
            [row] = await connection.fetch(
                f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", *arguments
            )
            plan = json.loads(row[0])[0]
            found = scans(plan["Plan"], [])
            explained.append(
                {
                    "sql": sql[:160] + ("…" if len(sql) > 160 else ""),
                    "execution_ms": round(plan["Execution Time"], 1),
                    "scans": found,
                    "seq_scans_of_big_tables": sorted(
                        {
                            s.split()[2]
                            for s in found
                            if s.startswith("Seq Scan") and s.split()[2] in BIG_TABLES
                        }
                    ),
                }
            )
    finally:
        await connection.close()
    return explained


async def time_reports(
    app: Any, key: str, rounds: int, database_url: str, stations: list[uuid.UUID]
) -> dict[str, Any]:
    """Each report's server time in process (JSON, then CSV and .xlsx), and its statements."""
    recorder = Recorder(app.state.services.database)
    results: dict[str, Any] = {}
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://bench",
        headers=headers,
        timeout=120,
    ) as client:
        targets = {f"/v1/reports/{name}": params for name, params in REPORTS.items()}
        targets["/v1/stations/{id}/compliance"] = {}
        for path, params in targets.items():
            url = path.replace("{id}", str(stations[0]))
            await client.get(url, params=params)  # warm: plans, caches
            recorder.take()
            samples, cpu = [], []
            for n in range(rounds):
                url = path.replace("{id}", str(stations[n % len(stations)]))
                started, used = time.perf_counter(), time.process_time()
                response = await client.get(url, params=params)
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - used) * 1000)
                response.raise_for_status()
            sent = recorder.take()
            per_round = sent[: len(sent) // rounds]
            formats = {}
            if "reports" in path:
                for name, accept in (("csv", "text/csv"), ("xlsx", XLSX)):
                    started = time.perf_counter()
                    response = await client.get(url, params=params, headers={"Accept": accept})
                    formats[f"{name}_ms"] = round((time.perf_counter() - started) * 1000, 1)
                    formats[f"{name}_bytes"] = len(response.content)
                    recorder.take()
            plans = await explain(database_url, per_round)
            results[path] = {
                "median_ms": round(statistics.median(samples), 1),
                # The service's own CPU and the database's execution time: what the request
                # costs whatever else the machine is doing (wall time is what it took today).
                "service_cpu_ms": round(statistics.median(cpu), 1),
                "database_ms": round(sum(plan["execution_ms"] for plan in plans), 1),
                "max_ms": round(max(samples), 1),
                "bytes": len(response.content) if not formats else None,
                "statements": len(per_round),
                **formats,
                "plans": plans,
            }
            timing = results[path]
            print(
                f"  {path}: median {timing['median_ms']} ms, max {timing['max_ms']} ms,"
                f" service CPU {timing['service_cpu_ms']} ms, database {timing['database_ms']} ms,"
                f" {len(per_round)} statements {formats}"
            )
    return results


async def seed_city(database: Database, vault: PiiVault, scaled: Any) -> list[dict[str, Any]]:
    """Seed the city; its stations."""
    division = table(DivisionRecord)
    async with database.read() as reader:
        townships = await reader.fetch_all(
            select(division).where(division.c.level == "township", division.c.needs_station)
        )
        communities = await reader.fetch_all(
            select(division).where(division.c.level == "community")
        )
        districts = {
            row["code"]: row["name"]
            for row in await reader.fetch_all(
                select(division).where(division.c.level == "district")
            )
        }
    for community in communities:
        community["district_code"] = community["code"][:6]
    started = time.perf_counter()
    seeder = RecordsSeeder(database, vault, townships)
    stations = await seeder.city_stations(districts)
    offices = await seeder.offices(stations, communities, scaled(3_000))
    await seeder.organisations(scaled(5_000))
    async with database.read() as reader:
        organisation = table(OrganisationRecord)
        organisations = [row["id"] for row in await reader.fetch_all(select(organisation.c.id))]
    universities = await seeder.universities(50)
    workers = await seeder.workers(stations, offices, scaled(20_000))
    print(f"  registry seeded in {time.perf_counter() - started:.0f} s")
    volunteers = await seeder.volunteers(scaled(100_000))
    print(f"  volunteers seeded in {time.perf_counter() - started:.0f} s")
    await seeder.linkages(stations, organisations, universities)
    await seeder.sessions_and_training(stations, workers, universities, scaled(200_000))
    await seeder.ledger(stations, volunteers, scaled(20_000), scaled(250_000), scaled(1_000_000))
    autocommit = database.engine.execution_options(isolation_level="AUTOCOMMIT")
    async with autocommit.connect() as connection:
        await connection.exec_driver_sql("VACUUM ANALYZE")
    return stations


async def main() -> None:
    """Seed (or reuse) the city, time the reports, write the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--passes", type=int, default=2, help="timing passes over the same city")
    parser.add_argument("--reuse", action="store_true", help="time the city a kept run seeded")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the world (quick runs)")
    args = parser.parse_args()
    random.seed(args.seed)

    def scaled(n: int) -> int:
        """A count at the run's scale."""
        return max(1, int(n * args.scale))

    settings = Settings(database_url=args.database_url, access_log=False, _env_file=None)  # type: ignore[call-arg]
    database = Database(build_engine(settings))
    await upgrade(database)
    vault = PiiVault.from_settings(settings)
    started = time.perf_counter()
    if args.reuse:
        async with database.read() as reader:
            stations = await reader.fetch_all(select(table(StationRecord).c.id))
    else:
        stations = await seed_city(database, vault, scaled)
    seeded = time.perf_counter() - started
    print(f"seeded the city in {seeded:.0f} s")

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        key = (
            await create_client(app.state.services, name="bench", scopes=[Scope.REGISTRY_READ])
        ).api_key
        sample = random.sample([s["id"] for s in stations], 10)
        passes = []
        for number in range(args.passes):
            print(f"pass {number + 1}, load average {os.getloadavg()[0]:.1f}")
            passes.append(await time_reports(app, key, args.rounds, args.database_url, sample))
    await database.dispose()
    timings = passes[-1]
    results = {
        "generated_at": NOW.isoformat(),
        "seed_seconds": round(seeded),
        "scale": args.scale,
        "load_average_after": os.getloadavg(),
        "passes": [{path: r["median_ms"] for path, r in each.items()} for each in passes],
        "reports": timings,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reports.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False, default=str)
    )
    for path, result in timings.items():
        big = sorted({t for plan in result["plans"] for t in plan["seq_scans_of_big_tables"]})
        print(
            f"{path:40} {result['median_ms']:>8} ms"
            f"  seq scans of big tables: {', '.join(big) or 'none'}"
        )


if __name__ == "__main__":
    asyncio.run(main())
