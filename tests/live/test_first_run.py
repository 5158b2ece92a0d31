"""The README's first command: `linkage serve` on an empty data directory, embedded SQLite."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys

import httpx

from tests.live.conftest import free_port, wait_until_healthy


def test_first_start_migrates_loads_divisions_and_prints_an_admin_key_once(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("LINKAGE_")} | {
        "LINKAGE_DATA_DIR": str(tmp_path / "var")
    }
    base_url = f"http://127.0.0.1:{port}"

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    process = start()
    try:
        banner = [process.stdout.readline() for _ in range(3)]  # type: ignore[union-attr]
        wait_until_healthy(base_url, process)
        assert base_url in banner[0]
        assert "SQLite" in banner[0]
        match = re.search(r"(lk_[A-Za-z0-9_-]+)", "".join(banner))
        assert match, banner
        headers = {"Authorization": f"Bearer {match.group(1)}"}

        townships = httpx.get(
            f"{base_url}/v1/divisions",
            params={"level": "township", "page_size": 200},
            headers=headers,
        )
        assert townships.status_code == 200
        assert len(townships.json()["items"]) == 196
        assert (tmp_path / "var" / "linkage.db").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal it caught
        assert process.wait(timeout=15) in (0, -signal.SIGTERM)

    again = start()
    try:
        banner = [again.stdout.readline() for _ in range(3)]  # type: ignore[union-attr]
        wait_until_healthy(base_url, again)
        assert not re.search(r"lk_[A-Za-z0-9_-]+", "".join(banner)), "the key is printed once"
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=15)


def test_replicas_started_without_migrating_leave_the_schema_to_the_migration_job(tmp_path):
    """Under an orchestrator a Job migrates before the rollout and replicas never race to:
    LINKAGE_MIGRATE_ON_START=false serves without touching the schema, and no admin key is
    printed in a pod's log with LINKAGE_BOOTSTRAP_ADMIN=false."""
    port = free_port()
    database = tmp_path / "var" / "linkage.db"
    env = {key: value for key, value in os.environ.items() if not key.startswith("LINKAGE_")} | {
        "LINKAGE_DATA_DIR": str(tmp_path / "var"),
        "LINKAGE_MIGRATE_ON_START": "false",
        "LINKAGE_BOOTSTRAP_ADMIN": "false",
    }
    base_url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        banner = [process.stdout.readline() for _ in range(3)]  # type: ignore[union-attr]
        wait_until_healthy(base_url, process)
        assert not re.search(r"lk_[A-Za-z0-9_-]+", "".join(banner))
        with sqlite3.connect(database) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        assert "alembic_version" not in tables
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)

    migrated = subprocess.run(
        [sys.executable, "-m", "service", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrated.returncode == 0, migrated.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
