"""A real uvicorn process serving the test database, for tests that need real sockets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from service.settings import Settings
from tests.conftest import UNLIMITED


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_healthy(
    base_url: str, process: subprocess.Popen[bytes], timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(f"{base_url} did not become healthy")


@pytest.fixture(scope="session")
def live_server(settings: Settings, migrated: None) -> Iterator[str]:
    """Base URL of uvicorn running the app on the test database (4 requests at once and more)."""
    port = free_port()
    env = (
        os.environ
        | {
            "LINKAGE_DATABASE_URL": settings.sqlalchemy_url,
            "LINKAGE_ACCESS_LOG": "false",
            "LINKAGE_LOG_LEVEL": "WARNING",
            "LINKAGE_RELAY_ENABLED": "false",
        }
        | {f"LINKAGE_{name.upper()}": rate for name, rate in UNLIMITED.items()}
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "service.main:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Every live test leaves only reference data behind."""
