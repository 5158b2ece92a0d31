"""The web client in a real browser: Debian's headless Chromium driven by Playwright, against a
real `linkage serve` process on an embedded SQLite database of its own.

Locally the tests skip when /usr/bin/chromium is missing; in CI (CI=true) they must run.
Screenshots go to var/browser-artefacts/ (gitignored).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import UNLIMITED
from tests.live.conftest import free_port, wait_until_healthy

CHROMIUM = os.environ.get("LINKAGE_TEST_CHROMIUM", "/usr/bin/chromium")
ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "browser-artefacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    mine = [item for item in items if Path(str(item.fspath)).is_relative_to(here)]
    for item in mine:
        item.add_marker(pytest.mark.timeout(180))
    if mine and not Path(CHROMIUM).exists() and os.environ.get("CI") != "true":
        skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
        for item in mine:
            item.add_marker(skip)


@dataclass
class Server:
    """The running service, its data directory, and a way to issue clients."""

    base_url: str
    env: dict[str, str]
    admin_key: str
    keys: dict[str, str] = field(default_factory=dict)

    def api(self, key: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {key or self.admin_key}"},
            timeout=30,
        )

    def issue(self, name: str, *scopes: str, station: str = "", organisation: str = "") -> str:
        """A client made by the CLI, as an operator makes one; its key."""
        command = [sys.executable, "-m", "service", "clients", "create", "--name", name]
        for scope in scopes:
            command += ["--scope", scope]
        if station:
            command += ["--station", station]
        if organisation:
            command += ["--organisation", organisation]
        done = subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=60, check=True
        )
        key: str = json.loads(done.stdout)["api_key"]
        return key


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`linkage serve` on an empty data directory, as `make run` starts it."""
    port = free_port()
    env = (
        {key: value for key, value in os.environ.items() if not key.startswith("LINKAGE_")}
        | {
            "LINKAGE_DATA_DIR": str(tmp_path_factory.mktemp("browser") / "var"),
            "LINKAGE_ACCESS_LOG": "false",
            "LINKAGE_LOG_LEVEL": "WARNING",
        }
        | {f"LINKAGE_{name.upper()}": rate for name, rate in UNLIMITED.items()}
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        banner = "".join(process.stdout.readline() for _ in range(4))  # type: ignore[union-attr]
        match = re.search(r"(lk_[A-Za-z0-9_-]+)", banner)
        assert match, banner
        wait_until_healthy(base_url, process, timeout=60)
        yield Server(base_url, env, match.group(1))
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless Chromium for the package (Debian's build, not a downloaded one)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"CI needs Chromium at {CHROMIUM}: apt-get install chromium fonts-wqy-microhei")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """A page with every request it made and every console complaint it raised."""

    page: Any
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)


@pytest.fixture
def watched(browser: Any, server: Server) -> Iterator[Watched]:
    """A fresh context (its own sessionStorage) at 1280 px, watched."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    seen = Watched(page)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("response", lambda r: seen.statuses.append(f"{r.status} {r.request.method} {r.url}"))
    page.on(
        "console",
        lambda message: (
            seen.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: seen.console_errors.append(str(error)))
    try:
        yield seen
    finally:
        context.close()


def screenshot(page: Any, name: str) -> None:
    """A full-page screenshot at the page's width, kept as a test artefact."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious or critical WCAG 2.1 A/AA violations axe-core finds on the page as it stands.

    The script is evaluated through the DevTools protocol, which the page's CSP does not govern
    (it would refuse an injected <script>, as it should)."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
