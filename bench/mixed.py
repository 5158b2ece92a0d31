"""A city's morning: a mixed workload through HAProxy on one and on two replicas, with Locust.

Seeds a migrated PostgreSQL database (bench/matching.py's seeder: every township's station,
organisations, volunteers living near their stations and free every day, this morning's open
requests), issues the clients a city has (a reader, one `requests:write` client bound to each
station, the bureau's `allocation:run` client), then for each replica count starts that many
`linkage serve` processes behind an HAProxy of its own and looks for the highest rate at which
the mix (bench/mixed_locustfile.py) keeps p99 under the bound with no error:

- each step is one headless Locust run of --step-seconds at a target rate (requests per second,
  paced with `constant_throughput`), after a short warm-up of each new cluster;
- a step passes when p99 < --p99-ms, no request failed, and the rate reached is at least 90 %
  of the target (a service that falls behind answers slower than it is asked);
- the rate doubles from --start-rate until a step fails (or --max-rate), then --refine
  bisection steps between the last pass and the first failure. At most about
  log2(max/start) + 1 + refine steps per replica count.

Then a soak of --soak-seconds at 70 % of the best rate found on the largest replica count: it
must have no error, and every replica's resident memory (VmRSS in /proc/<pid>/status, read at
the soak's start and end) must grow less than 10 %.

    .venv/bin/python bench/mixed.py --database-url postgresql+asyncpg://…/db [options]

Run it through bench/mixed.sh (make bench-mixed), which makes and drops the database. It writes
bench/results/mixed-latest.json and prints a table. Figures depend on the machine and on what
else runs on it: the load average is recorded with every step.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import csv
import json
import math
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import matching
from sqlalchemy import select, update

from service.db.engine import Database, build_engine
from service.db.tables import (
    DivisionRecord,
    OrganisationRecord,
    ResourceRequestRecord,
    VolunteerRecord,
    table,
)
from service.domain.access import Scope
from service.main import create_app
from service.pii import PiiVault
from service.settings import Settings
from service.usecases.clients import create_client
from service.usecases.common import Services

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOCUSTFILE = ROOT / "bench" / "mixed_locustfile.py"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
RATE_LIMITS = (
    "rate_limit_default",
    "rate_limit_identifier_search",
    "rate_limit_contact",
    "rate_limit_candidates",
    "rate_limit_allocation_runs",
    "rate_limit_unknown_keys",
)
UNLIMITED = {name: "1000000/second" for name in RATE_LIMITS}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class RssSampler:
    """Every replica's resident memory, read every `every` seconds while a run goes on: whether
    growth levels off (caches, the allocator's arenas) or keeps on (a leak)."""

    def __init__(self, cluster: Cluster, *, every: float) -> None:
        self.cluster, self.every = cluster, every
        self.samples: list[tuple[float, list[int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(self.every):
            with contextlib.suppress(RuntimeError, OSError):
                self.samples.append((round(time.monotonic() - started), self.cluster.rss()))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


# --- the world ------------------------------------------------------------------------------


def every_day() -> list[dict[str, Any]]:
    """Volunteers of this bench are free every day, all day: whatever hour it runs, this
    morning's requests (which begin minutes before they are posted) find candidates."""
    return [{"weekday": day, "start": "00:00", "end": "23:59"} for day in range(1, 8)]


async def seed(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    random.seed(args.seed)
    database = Database(build_engine(settings))
    vault = PiiVault.from_settings(settings)
    async with database.read() as reader:
        division = table(DivisionRecord)
        townships = await reader.fetch_all(
            select(division).where(division.c.level == "township", division.c.needs_station)
        )
    matching.slots = every_day  # type: ignore[assignment]
    seeder = matching.Seeder(database, vault, townships)
    started = time.perf_counter()
    stations = await seeder.stations()
    await seeder.organisations(args.organisations)
    await seeder.volunteers(args.volunteers)
    await seeder.requests(stations, args.open_requests)
    # This morning's requests: each begun within the last half hour, two hours long, so that
    # an offer accepted on one can be completed with the hours served.
    now = datetime.now(UTC)
    requests = table(ResourceRequestRecord)
    async with database.engine.begin() as connection:
        await connection.execute(
            update(requests).values(
                starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=3)
            )
        )
        await connection.execute(update(table(VolunteerRecord)).values(hours_per_week=40))
    async with database.read() as reader:
        organisations = [
            str(row["id"])
            for row in await reader.fetch_all(select(table(OrganisationRecord).c.id).limit(500))
        ]
        open_requests = await reader.fetch_all(
            select(requests.c.id, requests.c.station_id).where(
                requests.c.category == "volunteer_service"
            )
        )
    autocommit = database.engine.execution_options(isolation_level="AUTOCOMMIT")
    async with autocommit.connect() as connection:
        await connection.exec_driver_sql("VACUUM ANALYZE")
    print(
        f"seeded {len(stations)} stations, {args.organisations} organisations,"
        f" {args.volunteers} volunteers, {args.open_requests} open requests"
        f" in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    by_station: dict[str, list[str]] = {}
    for row in open_requests:
        by_station.setdefault(str(row["station_id"]), []).append(str(row["id"]))

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        services: Services = app.state.services
        reader_key = (
            await create_client(services, name="mixed-reader", scopes=[Scope.REGISTRY_READ])
        ).api_key
        bureau_key = (
            await create_client(
                services,
                name="mixed-bureau",
                scopes=[Scope.REGISTRY_READ, Scope.REQUESTS_READ, Scope.ALLOCATION_RUN],
            )
        ).api_key
        world_stations = []
        for station in stations:
            township = seeder.by_code[station["township_code"]]
            lat, lon = matching.township_centre(township)
            key = (
                await create_client(
                    services,
                    name=f"mixed-station-{station['township_code']}",
                    scopes=[Scope.REGISTRY_READ, Scope.REQUESTS_READ, Scope.REQUESTS_WRITE],
                    station_id=station["id"],
                )
            ).api_key
            world_stations.append(
                {
                    "id": str(station["id"]),
                    "key": key,
                    "township_code": station["township_code"],
                    "district_code": station["district_code"],
                    "lat": round(lat, 5),
                    "lon": round(lon, 5),
                    "requests": by_station.get(str(station["id"]), []),
                }
            )
    await database.dispose()
    world = {
        "reader_key": reader_key,
        "bureau_key": bureau_key,
        "stations": world_stations,
        "organisations": organisations,
        "districts": sorted({s["district_code"] for s in world_stations}),
        "skills": matching.SKILLS,
    }
    return world


# --- replicas behind HAProxy ------------------------------------------------------------------


class Cluster:
    """`size` replicas of `linkage serve` behind an HAProxy of its own (round robin)."""

    def __init__(self, size: int, env: dict[str, str], workdir: Path) -> None:
        self.workdir = workdir
        self.replicas: list[subprocess.Popen[bytes]] = []
        self.ports = [free_port() for _ in range(size)]
        for n, port in enumerate(self.ports):
            with (workdir / f"replica-{size}-{n}.log").open("wb") as log:
                self.replicas.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "service", "serve", "--port", str(port)],
                        env=env | {"LINKAGE_DATA_DIR": str(workdir / f"data-{n}")},
                        stdout=subprocess.DEVNULL,
                        stderr=log,
                    )
                )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        servers = "\n".join(
            f"  server r{n} 127.0.0.1:{port} check" for n, port in enumerate(self.ports)
        )
        config = workdir / f"haproxy-{size}.cfg"
        config.write_text(
            f"""global
  maxconn 4000
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response
frontend api
  bind 127.0.0.1:{self.port}
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 1s fall 2 rise 2
{servers}
"""
        )
        self.balancer = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for port, process in zip(self.ports, self.replicas, strict=True):
                self._wait(f"http://127.0.0.1:{port}/readyz", process)
            self._wait(f"{self.url}/readyz", self.balancer)
            time.sleep(2.5)  # every server's first health checks have passed (rise 2 × 1 s)
        except BaseException:
            self.stop()
            raise

    def _wait(self, url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args} exited with {process.returncode}")
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{url} did not become ready")

    def rss(self) -> list[int]:
        return [rss_kib(process.pid) for process in self.replicas]

    def alive(self) -> bool:
        return all(p.poll() is None for p in [*self.replicas, self.balancer])

    def stop(self) -> None:
        for process in [self.balancer, *self.replicas]:
            if process.poll() is None:
                process.terminate()
        for process in [self.balancer, *self.replicas]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


# --- one Locust run ---------------------------------------------------------------------------


def locust_run(
    url: str, rate: float, seconds: int, args: argparse.Namespace, world: Path, workdir: Path
) -> dict[str, Any]:
    """One headless Locust run at `rate` requests per second; its aggregate figures."""
    # About two requests a second per user (at least 4 users, at most --users): a user waits for
    # each answer, so it cannot go much faster than that near the p99 bound, and a user's first
    # request, spread over its period, does not wait long.
    users = min(args.users, max(4, math.ceil(rate / 2) + 1))
    prefix = workdir / f"locust-{time.monotonic_ns()}"
    races = Path(f"{prefix}-races.json")
    env = os.environ | {
        "MIXED_WORLD": str(world),
        "MIXED_RATE": str(rate),
        "MIXED_USERS": str(users),
        "MIXED_RACES": str(races),
    }
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    load_before = load_average()
    started = time.monotonic()
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    elapsed = time.monotonic() - started
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        raise RuntimeError(f"locust wrote no statistics:\n{done.stderr[-3000:]}")
    with stats_file.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    failures_file = Path(f"{prefix}_failures.csv")
    failures = []
    if failures_file.exists():
        with failures_file.open(encoding="utf-8") as f:
            failures = [
                {"name": r["Name"], "error": r["Error"][:200], "count": int(r["Occurrences"])}
                for r in csv.DictReader(f)
            ]
    total = next(r for r in rows if r["Name"] == "Aggregated")
    routes = {
        r["Name"]: {
            "count": int(r["Request Count"]),
            "failures": int(r["Failure Count"]),
            "p50_ms": number(r["50%"]),
            "p99_ms": number(r["99%"]),
        }
        for r in rows
        if r["Name"] != "Aggregated"
    }
    return {
        "target_rps": round(rate, 1),
        "users": users,
        "seconds": seconds,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": round(number(total["Requests/s"]), 1),
        "p50_ms": number(total["50%"]),
        "p99_ms": number(total["99%"]),
        "max_ms": round(number(total["Max Response Time"]), 1),
        "elapsed_s": round(elapsed, 1),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "races": json.loads(races.read_text()) if races.exists() else {},
        "failure_kinds": failures[:10],
        "routes": routes,
    }


def number(cell: str | None) -> float:
    """A figure from Locust's CSV: "N/A" (no request of that kind) reads as 0."""
    try:
        return float(cell or 0)
    except ValueError:
        return 0.0


def passes(step: dict[str, Any], args: argparse.Namespace) -> bool:
    # The bureau's user (about 0.3 request/s) comes on top of the target.
    return (
        step["failures"] == 0
        and step["p99_ms"] < args.p99_ms
        and step["rps"] >= 0.9 * step["target_rps"]
    )


def search(
    cluster: Cluster, args: argparse.Namespace, world: Path, workdir: Path
) -> dict[str, Any]:
    """Doubling from --start-rate to the first failure, then --refine bisections."""
    locust_run(cluster.url, args.start_rate, args.warmup_seconds, args, world, workdir)
    steps: list[dict[str, Any]] = []

    def step(rate: float) -> bool:
        result = locust_run(cluster.url, rate, args.step_seconds, args, world, workdir)
        result["passed"] = passes(result, args)
        steps.append(result)
        print(
            f"  target {rate:7.1f}/s: {result['rps']:7.1f}/s, p50 {result['p50_ms']:.0f} ms,"
            f" p99 {result['p99_ms']:.0f} ms, {result['failures']} errors,"
            f" {sum(result['races'].values())} races, load {result['load_average_after'][0]}"
            f" → {'pass' if result['passed'] else 'FAIL'}",
            flush=True,
        )
        if result["failure_kinds"]:
            print(f"    errors: {result['failure_kinds'][:3]}", flush=True)
        if not cluster.alive():
            raise RuntimeError("a replica or the balancer died")
        return bool(result["passed"])

    good, bad = 0.0, None
    rate = args.start_rate
    while rate <= args.max_rate:
        if step(rate):
            good = rate
            rate *= 2
        else:
            bad = rate
            break
    for _ in range(args.refine if bad is not None else 0):
        assert bad is not None
        if good and bad - good < max(2.0, 0.05 * good):
            break
        middle = round((good + bad) / 2, 1)
        if step(middle):
            good = middle
        else:
            bad = middle
    best = next((s for s in steps if s["passed"] and s["target_rps"] == good), None)
    return {
        "best_rps": good,  # the target rate of the best passing step (0: none passed)
        "best_achieved_rps": best["rps"] if best else None,
        "best_p99_ms": best["p99_ms"] if best else None,
        "first_failing_rps": bad,  # None: every step up to --max-rate passed
        "steps": steps,
    }


# --- the whole run ----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--replicas", default="1,2", help="replica counts to measure (1,2)")
    parser.add_argument("--users", type=int, default=100, help="most Locust users")
    parser.add_argument("--start-rate", type=float, default=20.0)
    parser.add_argument("--max-rate", type=float, default=1000.0)
    parser.add_argument("--refine", type=int, default=3, help="bisection steps after doubling")
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument("--warmup-seconds", type=int, default=5)
    parser.add_argument("--soak-seconds", type=int, default=600)
    # Long enough for every replica to have served the bureau's allocation runs and reports,
    # whose peak sets a replica's resident size once (bench/README.md, the soak's series).
    parser.add_argument("--soak-warmup-seconds", type=int, default=180)
    parser.add_argument("--soak-fraction", type=float, default=0.7)
    parser.add_argument(
        "--soak-rate", type=float, help="soak at this rate (a search's 70 %% found before)"
    )
    parser.add_argument("--p99-ms", type=float, default=250.0)
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--open-requests", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=20261208)
    parser.add_argument("--out", type=Path, default=RESULTS / "mixed-latest.json")
    args = parser.parse_args()
    counts = [int(n) for n in args.replicas.split(",")]
    if not Path(HAPROXY).exists():
        sys.exit("haproxy is not installed (bench/mixed.sh installs Debian's package)")

    pii_key = os.environ.get("LINKAGE_PII_KEY") or base64.b64encode(os.urandom(32)).decode()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKAGE_")} | {
        "LINKAGE_DATABASE_URL": args.database_url,
        "LINKAGE_PII_KEY": pii_key,
        "LINKAGE_PAGE_TOKEN_SECRET": secrets.token_urlsafe(32),
        "LINKAGE_MIGRATE_ON_START": "false",
        "LINKAGE_BOOTSTRAP_ADMIN": "false",
        "LINKAGE_ACCESS_LOG": "false",
        "LINKAGE_LOG_LEVEL": "WARNING",
    }
    env |= {f"LINKAGE_{name.upper()}": rate for name, rate in UNLIMITED.items()}
    settings = Settings(
        database_url=args.database_url,
        pii_key=pii_key,
        access_log=False,
        migrate_on_start=False,
        bootstrap_admin=False,
        **UNLIMITED,
        _env_file=None,
    )  # type: ignore[call-arg]

    workdir = Path(tempfile.mkdtemp(prefix="linkage-mixed-"))
    world = workdir / "world.json"
    world.write_text(json.dumps(asyncio.run(seed(args, settings)), ensure_ascii=False))
    results: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(),
        "cpus": os.cpu_count(),
        "settings": {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()
            if k != "database_url"
        },
        "load_average_at_start": load_average(),
        "replicas": {},
    }
    try:
        for size in counts:
            print(f"{size} replica(s):", flush=True)
            cluster = Cluster(size, env, workdir)
            try:
                results["replicas"][str(size)] = search(cluster, args, world, workdir)
            finally:
                cluster.stop()
        size = max(counts)
        best = results["replicas"][str(size)]["best_rps"]
        rate = args.soak_rate or round(best * args.soak_fraction, 1)
        if args.soak_seconds > 0 and rate > 0:
            print(f"soak: {size} replica(s) at {rate}/s for {args.soak_seconds} s", flush=True)
            cluster = Cluster(size, env, workdir)
            try:
                # Resident memory grows while a replica warms up (connections, caches, the
                # first of every statement): it is read once the replicas have served a while.
                locust_run(cluster.url, rate, args.soak_warmup_seconds, args, world, workdir)
                before = cluster.rss()
                with RssSampler(cluster, every=args.soak_seconds / 10) as series:
                    soak = locust_run(cluster.url, rate, args.soak_seconds, args, world, workdir)
                after = cluster.rss()
                alive = cluster.alive()
            finally:
                cluster.stop()
            growth = [round(100 * (a - b) / b, 1) for a, b in zip(after, before, strict=True)]
            soak |= {
                "replicas": size,
                "rss_kib_start": before,
                "rss_kib_end": after,
                "rss_growth_percent": growth,
                "rss_kib_series": series.samples,  # (seconds into the soak, [KiB per replica])
                "passed": soak["failures"] == 0 and max(growth) < 10 and alive,
            }
            results["soak"] = soak
    finally:
        logs = sorted(workdir.glob("replica-*.log"))
        errors = [p.name for p in logs if "Traceback" in p.read_text(errors="replace")]
        results["replica_logs_with_tracebacks"] = errors
        if os.environ.get("BENCH_KEEP") == "1":
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    results["load_average_at_end"] = load_average()
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print_table(results)


def print_table(results: dict[str, Any]) -> None:
    print()
    print(
        f"{'replicas':>8} {'best target/s':>14} {'achieved/s':>11} {'p99 ms':>7}"
        f" {'first failing/s':>16} {'steps':>6}"
    )
    for size, found in results["replicas"].items():
        failing = found["first_failing_rps"]
        print(
            f"{size:>8} {found['best_rps']:>14} {found['best_achieved_rps'] or '-':>11}"
            f" {found['best_p99_ms'] or '-':>7}"
            f" {failing if failing is not None else 'none':>16} {len(found['steps']):>6}"
        )
    if soak := results.get("soak"):
        print(
            f"soak: {soak['replicas']} replica(s), {soak['seconds']} s at {soak['target_rps']}/s:"
            f" {soak['rps']}/s, p99 {soak['p99_ms']:.0f} ms, {soak['failures']} errors,"
            f" RSS {soak['rss_kib_start']} → {soak['rss_kib_end']} KiB"
            f" ({soak['rss_growth_percent']} %) → {'pass' if soak['passed'] else 'FAIL'}"
        )
    print(
        f"load average: start {results['load_average_at_start']},"
        f" end {results['load_average_at_end']}"
    )
    if results["replica_logs_with_tracebacks"]:
        print(f"tracebacks in {results['replica_logs_with_tracebacks']}")


if __name__ == "__main__":
    main()
