"""Several replicas, one service: three `linkage serve` processes on one PostgreSQL database
behind HAProxy (Debian's package), as a city runs them. Requests, allocation runs and offers go
through the balancer while one replica is killed with SIGKILL in the middle of a run and
another is stopped with SIGTERM: every run finishes (the dead replica's run on another one),
every write answered 2xx is there exactly once, and nothing is done twice."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import delete, func, select

from service.db.tables import (
    AllocationAssignmentRecord,
    LeaseRecord,
    OfferRecord,
    ResourceRequestRecord,
    VolunteerRecord,
)
from service.domain.access import Scope
from service.settings import Settings
from service.usecases.clients import create_client, revoke_client
from service.usecases.common import unit_of_work
from tests.conftest import TEST_PII_KEY, UNLIMITED
from tests.factories.registry import BEISHAN, station_body
from tests.factories.volunteers import volunteer_without_id_number as volunteer
from tests.live.conftest import free_port, wait_until_healthy

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
HANGZHOU = ZoneInfo("Asia/Shanghai")
REQUESTS = 240  # enough that a run takes a while: it is killed while it runs
VOLUNTEERS = 400
LEASE_SECONDS = 3  # a dead replica's run is taken over within a lease and a sweep
WRITERS = 12


class Replica:
    """One `linkage serve` process; its stderr kept in a file."""

    def __init__(
        self, settings: Settings, workdir: Path, n: int, extra_env: dict[str, str]
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = (
            {k: v for k, v in os.environ.items() if not k.startswith("LINKAGE_")}
            | {
                "LINKAGE_DATABASE_URL": settings.sqlalchemy_url,
                "LINKAGE_DATA_DIR": str(workdir / f"r{n}"),
                "LINKAGE_PII_KEY": TEST_PII_KEY,
                "LINKAGE_PAGE_TOKEN_SECRET": "replicas-share-one-page-token-secret-0123456789",
                "LINKAGE_MIGRATE_ON_START": "false",  # migrated once, as a Job would
                "LINKAGE_BOOTSTRAP_ADMIN": "false",
                "LINKAGE_ACCESS_LOG": "false",
                "LINKAGE_LOG_LEVEL": "WARNING",
                "LINKAGE_AUTH_CACHE_SECONDS": "0",
                "LINKAGE_HOUSEKEEPING_INTERVAL_SECONDS": "1",
                "LINKAGE_ALLOCATION_LEASE_SECONDS": str(LEASE_SECONDS),
                "LINKAGE_GRACEFUL_SHUTDOWN_SECONDS": "10",
            }
            | {f"LINKAGE_{name.upper()}": rate for name, rate in UNLIMITED.items()}
            | extra_env
        )
        self.log = workdir / f"replica-{n}.log"
        with self.log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service", "serve", "--port", str(self.port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@contextmanager
def cluster(
    settings: Settings, size: int = 3, **extra_env: str
) -> Iterator[tuple[str, list[Replica]]]:
    """`size` replicas behind an HAProxy of this test's own; the balancer's URL and them."""
    if not Path(HAPROXY).exists():
        if os.environ.get("CI"):
            pytest.fail("haproxy is not installed (.ci/run installs Debian's package)")
        pytest.skip("haproxy is not installed (apt-get install haproxy)")
    workdir = Path(tempfile.mkdtemp(prefix="linkage-replicas-"))
    replicas = [Replica(settings, workdir, n, extra_env) for n in range(size)]
    port = free_port()
    servers = "\n".join(
        f"  server r{n} 127.0.0.1:{replica.port} check" for n, replica in enumerate(replicas)
    )
    config = workdir / "haproxy.cfg"
    config.write_text(
        f"""global
  maxconn 2000
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response
frontend api
  bind 127.0.0.1:{port}
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 300ms fall 1 rise 2
{servers}
"""
    )
    balancer = subprocess.Popen(
        [HAPROXY, "-db", "-f", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for replica in replicas:
            wait_until_healthy(replica.url, replica.process, timeout=60)
        wait_until_healthy(f"http://127.0.0.1:{port}", balancer, timeout=30)  # type: ignore[arg-type]
        time.sleep(1)  # every server's first health check has passed (rise 2 × 300 ms)
        yield f"http://127.0.0.1:{port}", replicas
    finally:
        for replica in replicas:
            replica.stop()
        balancer.terminate()
        balancer.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def tomorrow_morning() -> tuple[datetime, datetime]:
    day = (datetime.now(HANGZHOU) + timedelta(days=1)).date()
    starts = datetime(day.year, day.month, day.day, 9, 0, tzinfo=HANGZHOU)
    return starts, starts + timedelta(hours=2)


async def seed(services, station_id: str) -> None:
    """A district's open requests for tomorrow morning and volunteers free then, nearby."""
    starts, ends = tomorrow_morning()
    now = services.clock()
    every_morning = [{"weekday": d, "start": "08:00", "end": "12:00"} for d in range(1, 8)]
    async with services.database.session() as session:
        for n in range(REQUESTS):
            session.add(
                ResourceRequestRecord(
                    station_id=uuid.UUID(station_id),
                    district_code="330106",
                    division_code=BEISHAN,
                    title=f"入户探访 {n}",
                    category="volunteer_service",
                    required_skills=["home_visits"],
                    target_groups=["elderly"],
                    quantity=2,
                    unit="people",
                    lat=30.2590,
                    lon=120.1450,
                    starts_at=starts,
                    ends_at=ends,
                    urgency="normal",
                    status="open",
                    committed_quantity=0,
                    created_at=now,
                    updated_at=now,
                )
            )
        for n in range(VOLUNTEERS):
            session.add(
                VolunteerRecord(
                    name=f"志愿者{n}",
                    phone_ciphertext=services.vault.encrypt(f"1390000{n:04d}", field="phone"),
                    phone_masked="139****0000",
                    skills=["home_visits", "companionship"],
                    service_area=[BEISHAN],
                    home_lat=30.2600 + (n % 20) * 0.0005,
                    home_lon=120.1440 + (n // 20) * 0.0005,
                    weekly_availability=every_morning,
                    hours_per_week=6,
                    created_at=now,
                    updated_at=now,
                )
            )
        await session.commit()


async def release_the_suites_turn(services) -> None:
    """This test process's own app sweeps once when it starts, holding the sweep's turn for
    most of the suite's day-long interval: once it has, give the turn up for the replicas."""
    mine = select(func.count()).where(LeaseRecord.owner == services.worker_id)
    for _ in range(30):
        if await count(services, mine):
            break
        await asyncio.sleep(0.1)
    async with unit_of_work(services.database) as session:
        await session.execute(delete(LeaseRecord))


async def count(services, statement) -> int:
    async with services.database.session() as session:
        return int((await session.execute(statement)).scalar_one())


class Writers:
    """Clients registering volunteers through the balancer, each write with its own
    Idempotency-Key, retried with that key on a 5xx or a broken connection, as a careful
    integrator would; what each key was finally answered."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url = url
        self.headers = headers
        self.answers: dict[str, tuple[int, str | None]] = {}
        self.first_failures = 0
        self.stopping = asyncio.Event()

    async def write(self, client: httpx.AsyncClient, key: str) -> None:
        body = volunteer(name="压测志愿者")
        for attempt in range(6):
            try:
                response = await client.post(
                    "/v1/volunteers", json=body, headers={"Idempotency-Key": key}
                )
            except httpx.TransportError:
                status, created = 599, None
            else:
                status = response.status_code
                created = response.json().get("id") if status == 201 else None
            if status < 500:
                self.answers[key] = (status, created)
                return
            if attempt == 0:
                self.first_failures += 1
            await asyncio.sleep(0.2 * (attempt + 1))
        self.answers[key] = (status, None)

    async def run(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, headers=self.headers, timeout=30) as client:

            async def one_writer(n: int) -> None:
                serial = 0
                while not self.stopping.is_set():
                    serial += 1
                    await self.write(client, f"writer-{n}-{serial}")
                    await client.get("/v1/stations")

            await asyncio.gather(*(one_writer(n) for n in range(WRITERS)))


async def wait_for(client: httpx.AsyncClient, url: str, done, within: float = 120) -> dict:
    deadline = time.monotonic() + within
    while True:
        response = await client.get(url)
        if response.status_code == 200 and done(response.json()):
            return response.json()
        if time.monotonic() > deadline:
            raise AssertionError(f"{url}: {response.status_code} {response.text[:300]}")
        await asyncio.sleep(0.1)


async def test_a_replica_killed_mid_run_loses_nothing_and_does_nothing_twice(
    settings: Settings, services
) -> None:
    admin = await create_client(services, name="replicas-admin", scopes=[Scope.ADMIN])
    headers = {"Authorization": f"Bearer {admin.api_key}"}
    await release_the_suites_turn(services)

    with cluster(settings) as (url, replicas):
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
            station = await client.post("/v1/stations", json=station_body())
            assert station.status_code == 201, station.text
            await seed(services, station.json()["id"])

            writers = Writers(url, headers)
            load = asyncio.create_task(writers.run())
            try:
                # a run accepted by replica 0, which dies while it runs
                async with httpx.AsyncClient(
                    base_url=replicas[0].url, headers=headers, timeout=30
                ) as doomed:
                    accepted = await doomed.post(
                        "/v1/allocation-runs", json={"district_code": "330106"}
                    )
                assert accepted.status_code == 202, accepted.text
                run_url = accepted.headers["location"]
                seen = await wait_for(client, run_url, lambda r: r["status"] != "queued", 60)
                assert seen["status"] == "running", "the run finished before it could be killed"
                replicas[0].process.send_signal(signal.SIGKILL)
                replicas[0].process.wait(timeout=10)

                # another run, through the balancer, while the first is taken over
                second = await client.post("/v1/allocation-runs", json={"district_code": "330106"})
                assert second.status_code == 202, second.text

                finished = await wait_for(
                    client, run_url, lambda r: r["status"] not in {"queued", "running"}
                )
                other = await wait_for(
                    client,
                    second.headers["location"],
                    lambda r: r["status"] not in {"queued", "running"},
                )
                await asyncio.sleep(1)
            finally:
                writers.stopping.set()
                await asyncio.wait_for(load, timeout=120)

            assert (finished["status"], finished["attempts"]) == ("succeeded", 2)
            assert finished["error"] is None and finished["assignment_count"] > 0
            assert (other["status"], other["attempts"]) == ("succeeded", 1)
            for run in (finished, other):
                stored = await count(
                    services,
                    select(func.count()).where(
                        AllocationAssignmentRecord.run_id == uuid.UUID(run["id"])
                    ),
                )
                assert stored == run["assignment_count"]  # one set of assignments, not two

            # the first run's offers, applied through the balancer by two callers at once
            applies = await asyncio.gather(
                client.post(f"{run_url}/apply"), client.post(f"{run_url}/apply")
            )
            assert sorted(r.status_code for r in applies) == [200, 409]
            made = next(r for r in applies if r.status_code == 200).json()["offers_created"]
            offers = await count(
                services,
                select(func.count()).where(
                    OfferRecord.allocation_run_id == uuid.UUID(run_url.rsplit("/", 1)[1])
                ),
            )
            assert offers == made > 0

    # nothing lost, nothing twice: every key answered 201 is one volunteer, there is no other
    created = {key: id_ for key, (status, id_) in writers.answers.items() if status == 201}
    assert created, "the writers wrote nothing"
    assert {status for status, _ in writers.answers.values()} <= {201}, writers.answers
    stored = await count(services, select(func.count()).where(VolunteerRecord.name == "压测志愿者"))
    assert stored == len(set(created.values())) == len(created)


async def test_a_replica_stopped_under_load_fails_no_request(settings: Settings, services) -> None:
    """SIGTERM (a rollout, a node drain): the replica stops taking connections, finishes what
    it has, and the balancer sends the rest elsewhere – no caller sees a failure, and no
    caller retries."""
    admin = await create_client(services, name="replicas-drain", scopes=[Scope.ADMIN])
    headers = {"Authorization": f"Bearer {admin.api_key}"}
    statuses: list[int] = []
    stopping = asyncio.Event()

    with cluster(settings) as (url, replicas):
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:

            async def caller(n: int) -> None:
                serial = 0
                while not stopping.is_set():
                    serial += 1
                    try:
                        written = await client.post(
                            "/v1/volunteers",
                            json=volunteer(name="排空志愿者"),
                            headers={"Idempotency-Key": f"drain-{n}-{serial}"},
                        )
                        read = await client.get("/v1/stations")
                    except httpx.TransportError:
                        statuses.append(599)
                        continue
                    statuses.extend((written.status_code, read.status_code))

            callers = asyncio.gather(*(caller(n) for n in range(WRITERS)))
            await asyncio.sleep(2)
            replicas[1].process.send_signal(signal.SIGTERM)
            await asyncio.sleep(3)
            stopping.set()
            await asyncio.wait_for(callers, timeout=60)
            assert replicas[1].process.wait(timeout=20) in (0, -signal.SIGTERM)

    assert len(statuses) > 100
    assert {status for status in statuses if status not in (200, 201)} == set()
    stored = await count(services, select(func.count()).where(VolunteerRecord.name == "排空志愿者"))
    assert stored == statuses.count(201)


async def test_replicas_share_rate_limits_and_forget_a_revoked_key(settings: Settings, services):
    """A client's budget is one across the replicas (Redis), and a revoked key is refused by
    every replica once its auth cache (LINKAGE_AUTH_CACHE_SECONDS) has passed."""
    redis_url = os.environ.get("LINKAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    limited = await create_client(services, name="replicas-limited", scopes=[Scope.REGISTRY_READ])
    revoked = await create_client(services, name="replicas-revoked", scopes=[Scope.REGISTRY_READ])
    cache_seconds = 1.0

    with cluster(
        settings,
        LINKAGE_REDIS_URL=redis_url,
        LINKAGE_REDIS_KEY_PREFIX=f"linkage-replicas-{uuid.uuid4().hex}",
        LINKAGE_RATE_LIMIT_DEFAULT="9/minute",
        LINKAGE_AUTH_CACHE_SECONDS=str(cache_seconds),
    ) as (url, replicas):
        key = {"Authorization": f"Bearer {limited.api_key}"}
        async with httpx.AsyncClient(base_url=url, headers=key, timeout=30) as client:
            answers = [(await client.get("/v1/divisions")).status_code for _ in range(12)]
        assert answers == [200] * 9 + [429] * 3  # 9 in all, spread over three replicas

        gone = {"Authorization": f"Bearer {revoked.api_key}"}
        async with httpx.AsyncClient(headers=gone, timeout=30) as client:
            for replica in replicas:  # each replica has the key in its cache
                cached = await client.get(f"{replica.url}/v1/divisions")
                assert cached.status_code == 200
            await revoke_client(services, client_id=revoked.record.id)
            await asyncio.sleep(cache_seconds + 0.5)
            for replica in replicas:
                refused = await client.get(f"{replica.url}/v1/divisions")
                assert refused.status_code == 401, (replica.url, refused.text)
