"""The README's walkthrough, run as a newcomer would: its `sh walkthrough` blocks in order, in one
shell, from a fresh clone's root, against `linkage serve` on an empty SQLite database."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from tests.live.conftest import free_port, wait_until_healthy

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"^```sh walkthrough\n(.*?)^```$", re.DOTALL | re.MULTILINE)
DOCUMENTED_API = "http://127.0.0.1:8000"
HANGZHOU = timezone(timedelta(hours=8))
# Every curl fails the script on an error status (and prints the problem); bounded in time.
PREAMBLE = """set -euo pipefail
curl() { command curl --fail-with-body --max-time 30 "$@"; }
"""
SHOWN = ("KEY", "STATION", "AGENCY", "VOLUNTEER_1", "VOLUNTEER_2", "VOLUNTEER", "REQUEST")
SHOWN += ("OFFER", "RUN")


def walkthrough_blocks() -> list[str]:
    return BLOCK.findall(README.read_text(encoding="utf-8"))


def test_the_walkthrough_has_its_blocks():
    blocks = walkthrough_blocks()
    assert len(blocks) >= 4
    assert "jq" not in "".join(blocks).split(), "python3's json reads the answers, not jq"


def test_every_variable_is_assigned_before_it_is_used():
    assigned: set[str] = set()
    for number, block in enumerate(walkthrough_blocks(), start=1):
        for line in block.splitlines():
            code = line.split("#", 1)[0] if not line.lstrip().startswith("import") else ""
            for name in re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", code):
                assert name in assigned, f"block {number} uses ${name} before it is assigned"
            assigned |= set(re.findall(r"^\s*([A-Z][A-Z0-9_]*)=", line))
    assert {"KEY", "API", "STATION", "VOLUNTEER", "OFFER", "RUN", "REQUEST"} <= assigned


def _window_code() -> str:
    script = "".join(walkthrough_blocks())
    match = re.search(r"WINDOW=\$\(python3 -c '(.*?)'\)", script, re.DOTALL)
    assert match, "the walkthrough builds its request window in Python"
    return match.group(1)


def _window_at(now: datetime) -> tuple[datetime, datetime, datetime]:
    """The README's window code run at a faked instant: (the instant it used, starts, ends)."""
    clock = [now]

    def fake_now(tz: timezone) -> datetime:
        return clock[0].astimezone(tz)

    def fake_sleep(seconds: float) -> None:
        clock[0] += timedelta(seconds=seconds)

    code = _window_code().replace("datetime.now(hangzhou)", "_now(hangzhou)")
    code = code.replace("time.sleep(", "_sleep(")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {"_now": fake_now, "_sleep": fake_sleep})  # noqa: S102 - the README's own code
    window = json.loads(out.getvalue())
    return (
        clock[0],
        datetime.fromisoformat(window["starts_at"]),
        datetime.fromisoformat(window["ends_at"]),
    )


@pytest.mark.parametrize(
    "local",
    ["00:00:00", "00:04:59", "00:10:00", "09:30:00", "21:59:59", "22:10:00", "22:30:00"]
    + ["23:00:00", "23:54:59", "23:55:00", "23:58:30", "23:59:59"],
)
def test_the_request_window_has_begun_lies_in_one_hangzhou_day_and_holds_the_hours(local):
    now = datetime.fromisoformat(f"2026-12-07T{local}+08:00")
    used, starts, ends = _window_at(now)
    assert used >= now and used - now <= timedelta(minutes=6)
    assert starts <= used, "the window has begun: the offer can be completed at once"
    assert ends - used >= timedelta(minutes=4), "time enough to offer and accept"
    assert ends - starts >= timedelta(hours=1.5), "1.5 volunteer hours fit in it"
    assert (
        starts.astimezone(HANGZHOU).date()
        == (ends - timedelta(microseconds=1)).astimezone(HANGZHOU).date()
    ), "a window that touches two days is judged on both"
    assert ends.astimezone(HANGZHOU).time() <= datetime.strptime("23:59", "%H:%M").time()


def test_the_window_code_is_sampled_across_a_whole_day():
    midnight = datetime(2026, 12, 7, tzinfo=HANGZHOU)
    for minutes in range(0, 24 * 60, 7):
        used, starts, ends = _window_at(midnight + timedelta(minutes=minutes, seconds=31))
        assert starts <= used < ends
        assert starts.astimezone(HANGZHOU).date() == used.astimezone(HANGZHOU).date()


@pytest.fixture
def fresh_clone(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A project root with `.venv/bin/linkage`, and `linkage serve` started there on an empty
    data directory (`./var`), as `make run` does; yields the root and the server's URL."""
    linkage = Path(sys.prefix) / "bin" / "linkage"
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    if linkage.exists():
        (bin_dir / "linkage").symlink_to(linkage)
    else:  # not run from a virtualenv: the same entry point
        (bin_dir / "linkage").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m service "$@"\n')
        (bin_dir / "linkage").chmod(0o755)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKAGE_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env | {"LINKAGE_ACCESS_LOG": "false", "LINKAGE_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process, timeout=60)
        yield tmp_path, base_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.mark.slow
def test_the_readme_walkthrough_finishes_with_hours_in_the_ledger(fresh_clone):
    root, base_url = fresh_clone
    script = PREAMBLE + "\n".join(walkthrough_blocks()).replace(DOCUMENTED_API, base_url)
    script += "\necho\n" + "".join(f'echo "{name}=${name}"\n' for name in SHOWN)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKAGE_")}
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    shown = dict(
        line.split("=", 1) for line in done.stdout.splitlines()[-len(SHOWN) :] if "=" in line
    )
    assert set(shown) == set(SHOWN), done.stdout[-2000:]
    assert all(shown.values()), shown
    assert shown["VOLUNTEER"] in (shown["VOLUNTEER_1"], shown["VOLUNTEER_2"])

    headers = {"Authorization": f"Bearer {shown['KEY']}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        ledger = client.get(f"/v1/volunteers/{shown['VOLUNTEER']}/service-records").json()
        assert [item["hours"] for item in ledger["items"]] == [1.5]
        assert ledger["items"][0]["offer_id"] == shown["OFFER"]
        assert ledger["items"][0]["service_date"] == datetime.now(HANGZHOU).date().isoformat() or (
            ledger["items"][0]["service_date"]
            == (datetime.now(HANGZHOU) - timedelta(minutes=10)).date().isoformat()
        )
        offer = client.get(f"/v1/offers/{shown['OFFER']}").json()
        assert (offer["status"], offer["rating"], offer["volunteer_hours"]) == (
            "completed",
            5,
            1.5,
        )
        request = client.get(f"/v1/resource-requests/{shown['REQUEST']}").json()
        assert request["status"] == "fulfilled"
        assert request["station_id"] == shown["STATION"]
        run = client.get(f"/v1/allocation-runs/{shown['RUN']}").json()
        assert run["status"] == "applied"


BUREAU_ONLY = ("POST /v1/stations", "POST /v1/allocation-runs", "GET /v1/allocation-runs/")


def _operations(script: str) -> set[tuple[str, str]]:
    """(method, path template) of every curl call in the walkthrough."""
    contract = json.loads((README.parent / "openapi" / "openapi.json").read_text())
    templates = [
        (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path)
        for path in contract["paths"]
    ]
    found = set()
    for call in re.split(r"\bcurl ", script)[1:]:
        url = re.search(r'"\$API(/[^"?]*)', call)
        if url is None:
            continue
        method = re.search(r"-X (\w+)", call.split("|")[0])
        concrete = re.sub(r"\$\w+", "x", url.group(1))
        path = next(path for pattern, path in templates if pattern.match(concrete))
        found.add((method.group(1) if method else "GET", path))
    return found


def test_the_station_client_of_the_readme_may_do_all_the_walkthrough_does_for_a_station():
    readme = README.read_text(encoding="utf-8")
    command = re.search(r"clients create --name beishan-station(.*?)--station", readme, re.DOTALL)
    assert command, "the README issues a station client"
    scopes = set(re.findall(r"--scope ([\w:]+)", command.group(1)))
    contract = json.loads((README.parent / "openapi" / "openapi.json").read_text())
    operations = _operations("".join(walkthrough_blocks()))
    assert len(operations) >= 15
    for method, path in sorted(operations):
        if f"{method} {path}".startswith(BUREAU_ONLY):
            continue
        needed = contract["paths"][path][method.lower()].get("x-required-scopes", [])
        assert not needed or scopes & set(needed), (method, path, needed)
