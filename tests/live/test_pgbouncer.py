"""The service through PgBouncer in transaction mode (Debian's pgbouncer 1.18: no prepared
statements in transaction mode), as a city runs it: a real pgbouncer in front of the test
database with fewer server connections than clients, a real uvicorn process with
LINKAGE_DB_PGBOUNCER=true, a smoke walk through the main routes and 50 concurrent clients – no
prepared-statement error, no failed request. The control run, the same load without the setting,
shows what the setting prevents."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from service.domain.access import Scope
from service.settings import Settings
from service.usecases.clients import create_client
from tests.conftest import UNLIMITED
from tests.factories.registry import station_body
from tests.factories.requests import request_body
from tests.factories.volunteers import volunteer_without_id_number as volunteer
from tests.live.conftest import free_port, wait_until_healthy

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
CLIENTS = 50
SERVER_CONNECTIONS = 6  # fewer than the service's pools: server connections change hands


@contextmanager
def running_pgbouncer(settings: Settings, *, ignore: str = "") -> Iterator[str]:
    """A pgbouncer of this test's own (transaction mode) in front of the test database."""
    if not Path(PGBOUNCER).exists():
        if os.environ.get("CI"):
            pytest.fail("pgbouncer is not installed (.ci/run installs Debian's package)")
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    database = make_url(settings.sqlalchemy_url)
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="linkage-pgbouncer-"))
    workdir.chmod(0o777)  # pgbouncer refuses to run as root: it may run as postgres, below
    config = workdir / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"linkage = host={database.host or '127.0.0.1'} port={database.port or 5432}"
        f" dbname={database.database} user={database.username or 'postgres'}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        "auth_type = any\npool_mode = transaction\nmax_client_conn = 500\n"
        f"default_pool_size = {SERVER_CONNECTIONS}\nreserve_pool_size = 0\n"
        f"ignore_startup_parameters = {ignore}\n"
        f"logfile = {workdir / 'pgbouncer.log'}\npidfile = {workdir / 'pgbouncer.pid'}\n"
    )
    config.chmod(0o644)
    command = [PGBOUNCER, str(config)]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process)
        yield f"postgresql+asyncpg://{database.username or 'postgres'}@127.0.0.1:{port}/linkage"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    import socket
    import time

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"pgbouncer exited with {process.returncode}: {output}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError("pgbouncer did not listen")


class Service:
    """uvicorn serving the app through pgbouncer; its stderr kept to look for driver errors."""

    def __init__(self, database_url: str, *, pgbouncer_mode: bool, log: Path) -> None:
        self.port = free_port()
        self.log = log
        env = (
            os.environ
            | {
                "LINKAGE_DATABASE_URL": database_url,
                "LINKAGE_DB_PGBOUNCER": str(pgbouncer_mode).lower(),
                "LINKAGE_DB_POOL_SIZE": "10",
                "LINKAGE_ACCESS_LOG": "false",
                "LINKAGE_LOG_LEVEL": "WARNING",
                "LINKAGE_PII_KEY": "dGVzdC1vbmx5LXBpaS1rZXktMzItYnl0ZXMtbG9uZyE=",
                "LINKAGE_MATCH_TOTALS_CACHE_SECONDS": "0",
            }
            | {f"LINKAGE_{name.upper()}": rate for name, rate in UNLIMITED.items()}
        )
        self._stderr = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "service.main:create_app",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Service:
        wait_until_healthy(self.url, self.process)
        return self

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)
        self._stderr.close()

    def errors(self) -> str:
        return self.log.read_text(errors="replace")


async def smoke_and_load(base_url: str, headers: dict[str, str]) -> list[int]:
    """The smoke walk (a station, a volunteer, a request, its candidates), then CLIENTS
    clients at once, each reading and writing: every status code seen."""
    statuses: list[int] = []
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=60
    ) as client:
        station = await client.post("/v1/stations", json=station_body())
        statuses.append(station.status_code)
        if station.status_code != 201:
            return statuses
        station_id = station.json()["id"]
        request = await client.post("/v1/resource-requests", json=request_body(station_id))
        statuses.append(request.status_code)

        async def one_client() -> list[int]:
            seen = []
            for path in ("/v1/stations", f"/v1/stations/{station_id}", "/v1/divisions"):
                seen.append((await client.get(path)).status_code)
            seen.append((await client.get(f"/v1/stations/{station_id}/network")).status_code)
            if request.status_code == 201:
                candidates = await client.get(
                    f"/v1/resource-requests/{request.json()['id']}/candidates"
                )
                seen.append(candidates.status_code)
            seen.append((await client.get("/v1/reports/coverage")).status_code)
            registered = await client.post("/v1/volunteers", json=volunteer())
            seen.append(registered.status_code)
            return seen

        for seen in await asyncio.gather(*(one_client() for _ in range(CLIENTS))):
            statuses.extend(seen)
    return statuses


async def test_the_service_works_through_pgbouncer_in_transaction_mode(
    settings: Settings, services, tmp_path: Path
) -> None:
    admin = await create_client(services, name="pgbouncer-admin", scopes=[Scope.ADMIN])
    headers = {"Authorization": f"Bearer {admin.api_key}"}

    with (
        running_pgbouncer(settings) as pgbouncer,
        Service(pgbouncer, pgbouncer_mode=True, log=tmp_path / "pooled.log") as service,
    ):
        statuses = await asyncio.wait_for(smoke_and_load(service.url, headers), timeout=240)
        errors = service.errors()

    assert "prepared statement" not in errors, errors[-2000:]
    assert len(statuses) > CLIENTS * 5
    assert {status for status in statuses if status >= 300} == set(), sorted(set(statuses))


async def test_without_the_setting_prepared_statements_break_behind_pgbouncer(
    settings: Settings, services, tmp_path: Path
) -> None:
    """The control: the service configured as for a direct connection (statement cache on),
    behind a pgbouncer told to ignore the startup `statement_timeout` so that it connects at
    all – prepared statements then meet on shared server connections and fail."""
    admin = await create_client(services, name="pgbouncer-control", scopes=[Scope.ADMIN])
    headers = {"Authorization": f"Bearer {admin.api_key}"}

    with (
        running_pgbouncer(settings, ignore="statement_timeout") as pgbouncer,
        Service(pgbouncer, pgbouncer_mode=False, log=tmp_path / "control.log") as service,
    ):
        statuses = await asyncio.wait_for(smoke_and_load(service.url, headers), timeout=240)
        errors = service.errors()

    assert "prepared statement" in errors, sorted(set(statuses))
    assert any(status >= 500 for status in statuses)
