"""The contract: Schemathesis, with every check, against the live service and its OpenAPI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from service.domain.access import Scope
from service.usecases.clients import create_client
from tests.live.schemathesis_hooks import no_personal_data_outside_contact_endpoints as check

PROJECT_ROOT = Path(__file__).resolve().parents[2]


async def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, services):
    issued = await create_client(services, name="schemathesis", scopes=[Scope.ADMIN])
    examples = os.environ.get("LINKAGE_SCHEMATHESIS_EXAMPLES", "50")
    # A fixed seed keeps CI repeatable; LINKAGE_SCHEMATHESIS_SEED=random explores afresh.
    seed = os.environ.get("LINKAGE_SCHEMATHESIS_SEED", "20261128")
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{live_server}/openapi.json",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {issued.api_key}",
        "--max-examples",
        examples,
        # One worker: Hypothesis describes filter lambdas by parsing their source, and CPython
        # 3.11's parser is not thread-safe ("AST constructor recursion depth mismatch").
        "--workers",
        "1",
        "--request-timeout",
        "10",
        *([] if seed == "random" else ["--seed", seed]),
        # LINKAGE_SCHEMATHESIS_PATHS=/v1/bulk: only the operations under matching paths.
        *(
            ["--include-path-regex", paths]
            if (paths := os.environ.get("LINKAGE_SCHEMATHESIS_PATHS"))
            else []
        ),
    ]
    # schemathesis.toml in the project root says which refusals of valid input are by design.
    # In a thread: this process's event loop must go on (its housekeeping sweep may be in the
    # middle of a transaction, whose SQLite write lock would otherwise stall the server).
    # The hooks add a check: no response shows personal data (tests/pii_patterns.py).
    env = os.environ | {"SCHEMATHESIS_HOOKS": "tests.live.schemathesis_hooks"}
    result = await asyncio.to_thread(
        subprocess.run,
        command,
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]


def test_the_schemathesis_check_fails_a_response_that_shows_personal_data():
    def answer(url: str, body: str) -> SimpleNamespace:
        request = SimpleNamespace(method="GET", url=url)
        return SimpleNamespace(request=request, status_code=200, text=body)

    leaking = answer("http://127.0.0.1:1/v1/volunteers", '{"phone": "16612345678"}')
    with pytest.raises(AssertionError, match="/v1/volunteers"):
        check(None, leaking, None)
    check(None, answer("http://127.0.0.1:1/v1/volunteers", '{"phone": "166****5678"}'), None)
    check(None, answer("http://127.0.0.1:1/v1/volunteers/1/contact", '"16612345678"'), None)


async def test_the_session_scan_reads_the_live_server_s_answers(live_server, pii_scan):
    before = pii_scan.scanned
    async with httpx.AsyncClient(base_url=live_server) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/v1/volunteers")).status_code == 401

    assert pii_scan.scanned == before + 2
