"""PostgreSQL stopped and started again under load: a PostgreSQL instance of this test's own
(its own `initdb` on a free port; never the shared server), a real `linkage serve` on it, and
callers writing and reading throughout. While the database is down every answer is a fast 503
problem; afterwards the same process serves again without a restart, and every write that was
answered 201 is there."""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_PII_KEY, UNLIMITED
from tests.factories.volunteers import volunteer_without_id_number as volunteer
from tests.live.conftest import free_port, wait_until_healthy

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]

BIN = (
    Path("/usr/lib/postgresql")
    / (
        sorted(os.listdir("/usr/lib/postgresql"))[-1]
        if Path("/usr/lib/postgresql").exists()
        else "x"
    )
    / "bin"
)
CALLERS = 8


class Instance:
    """A throwaway PostgreSQL cluster (as the postgres user when the test runs as root)."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.data = root / "data"
        self.sockets = root / "sockets"
        self.sockets.mkdir()
        self.log = root / "postgres.log"
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (root, self.sockets):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def run(self, tool: str, *args: str) -> None:
        command = [str(BIN / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"


@contextmanager
def instance() -> Iterator[Instance]:
    if not (BIN / "initdb").exists():
        pytest.skip("PostgreSQL's server binaries are not installed")
    root = Path(tempfile.mkdtemp(prefix="linkage-pg-"))
    root.chmod(0o755)
    db = Instance(root)
    db.start()
    try:
        yield db
    finally:
        try:
            db.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(root, ignore_errors=True)


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "service", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return done.stdout


def serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


async def test_the_database_stopped_and_restarted_under_load(tmp_path: Path) -> None:
    with instance() as db:
        env = (
            {k: v for k, v in os.environ.items() if not k.startswith("LINKAGE_")}
            | {
                "LINKAGE_DATABASE_URL": db.url,
                "LINKAGE_DATA_DIR": str(tmp_path / "var"),
                "LINKAGE_PII_KEY": TEST_PII_KEY,
                "LINKAGE_BOOTSTRAP_ADMIN": "false",
                "LINKAGE_ACCESS_LOG": "false",
                "LINKAGE_LOG_LEVEL": "WARNING",
                "LINKAGE_DB_CONNECT_TIMEOUT_SECONDS": "1",
                "LINKAGE_DB_POOL_TIMEOUT_SECONDS": "1",
                "LINKAGE_DB_COMMAND_TIMEOUT_SECONDS": "3",
            }
            | {f"LINKAGE_{name.upper()}": rate for name, rate in UNLIMITED.items()}
        )
        cli(env, "migrate")
        key = json.loads(cli(env, "clients", "create", "--name", "restart", "--scope", "admin"))
        port = free_port()
        server = serve(env, port, tmp_path / "server.log")
        base = f"http://127.0.0.1:{port}"
        answers: list[tuple[str, int, str, str | None]] = []  # phase, status, type, created id
        phase = "before"
        stopping = asyncio.Event()
        try:
            wait_until_healthy(base, server, timeout=60)
            headers = {"Authorization": f"Bearer {key['api_key']}"}
            async with httpx.AsyncClient(base_url=base, headers=headers, timeout=20) as client:

                def seen(started: str) -> str:
                    """The phase a request was answered in: the one it began in, if the phase
                    did not change meanwhile (a request in flight when the database stopped
                    belongs to neither)."""
                    return started if phase == started else "between"

                async def caller(n: int) -> None:
                    serial = 0
                    while not stopping.is_set():
                        serial += 1
                        now = phase
                        written = await client.post(
                            "/v1/volunteers",
                            json=volunteer(name="重启志愿者"),
                            headers={"Idempotency-Key": f"restart-{n}-{serial}"},
                        )
                        created = written.json().get("id") if written.status_code == 201 else None
                        kind = written.headers.get("content-type", "")
                        answers.append((seen(now), written.status_code, kind, created))
                        read = await client.get("/v1/stations")
                        answers.append(
                            (
                                seen(now),
                                read.status_code,
                                read.headers.get("content-type", ""),
                                None,
                            )
                        )
                        if read.status_code == 503:
                            await asyncio.sleep(0.2)

                callers = asyncio.gather(*(caller(n) for n in range(CALLERS)))
                await asyncio.sleep(2)
                phase = "stopping"
                await asyncio.to_thread(db.stop)
                phase = "down"
                await asyncio.sleep(3)
                phase = "starting"
                await asyncio.to_thread(db.start)
                for _ in range(100):
                    if (await client.get("/readyz")).status_code == 200:
                        break
                    await asyncio.sleep(0.1)
                phase = "recovering"  # connections from before the restart are replaced
                await asyncio.sleep(1)
                phase = "after"
                await asyncio.sleep(3)
                stopping.set()
                await asyncio.wait_for(callers, timeout=60)

                kept = [created for _, status, _, created in answers if status == 201]
                for created in kept:
                    assert (await client.get(f"/v1/volunteers/{created}")).status_code == 200
        finally:
            server.terminate()
            server.wait(timeout=20)

    assert server.returncode is not None
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert '"msg": "unhandled error"' not in log, log[-3000:]
    by_phase = {p: [status for q, status, _, _ in answers if q == p] for p in ("before", "after")}
    down = [(status, kind) for p, status, kind, _ in answers if p == "down"]
    assert set(by_phase["before"]) <= {200, 201} and by_phase["before"]
    assert down and {status for status, _ in down} == {503}
    assert {kind for _, kind in down} == {"application/problem+json"}
    assert set(by_phase["after"]) <= {200, 201} and 201 in by_phase["after"]
    assert {status for _, status, _, _ in answers} <= {200, 201, 503}  # never a 500
