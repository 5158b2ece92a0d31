"""The stations' web client at /app/: served by the service, strict CSP, small, self-contained."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from service.routers.web import load_web_client

FIRST_LOAD_BUDGET = 200 * 1024
IMPORT = re.compile(r"""(?:import|from)\s*(?:[\w{}\s,*]*from\s*)?["'](\.{1,2}/[^"']+)["']""")
REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["'](?!#)([^"']+)["']""")
OTHER_ORIGIN = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)


async def test_the_page_is_served_with_a_strict_policy(anonymous):
    response = await anonymous.get("/app/")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["etag"]


async def test_the_page_has_no_inline_script_or_style(anonymous):
    html = (await anonymous.get("/app/")).text

    assert "<style" not in html
    assert " style=" not in html
    for script in re.findall(r"<script[^>]*>(.*?)</script>", html, re.S):
        assert script.strip() == "", "inline script"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), "an inline event handler"


async def test_assets_are_versioned_and_cached_for_long(anonymous):
    client = load_web_client()
    html = (await anonymous.get("/app/")).text
    references = REFERENCE.findall(html)

    assert references
    for reference in references:
        assert reference.startswith(f"./{client.version}/"), reference
        response = await anonymous.get("/app/" + reference.removeprefix("./"))
        assert response.status_code == 200, reference
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-security-policy"]


async def test_an_asset_under_another_version_is_revalidated_not_cached(anonymous):
    response = await anonymous.get("/app/0000000000000000/style.css")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


async def test_an_etag_answers_304(anonymous):
    first = await anonymous.get("/app/")
    again = await anonymous.get("/app/", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.content == b""


async def test_an_unknown_file_is_a_problem_not_a_page(anonymous):
    client = load_web_client()
    for path in (f"/app/{client.version}/nothing.js", f"/app/{client.version}/../main.py"):
        response = await anonymous.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"


async def test_the_address_without_its_slash_leads_to_the_page(anonymous):
    response = await anonymous.get("/app")

    assert response.status_code == 308
    assert response.headers["location"] == "/app/"


def _first_load(client) -> dict[str, int]:
    """Every file the page fetches on first load: the HTML, what it names, and every module
    those modules import, followed statically."""
    loaded = {"index.html": len(client.index.body)}
    pending = [
        r.removeprefix(f"./{client.version}/")
        for r in REFERENCE.findall(client.index.body.decode())
    ]
    while pending:
        path = pending.pop()
        if path in loaded:
            continue
        asset = client.assets[path]
        loaded[path] = len(asset.body)
        if path.endswith(".js"):
            base = path.rsplit("/", 1)[0] if "/" in path else ""
            for target in IMPORT.findall(asset.body.decode()):
                parts = [p for p in f"{base}/{target}".split("/") if p and p != "."]
                resolved: list[str] = []
                for part in parts:
                    if part == "..":
                        resolved.pop()
                    else:
                        resolved.append(part)
                pending.append("/".join(resolved))
    return loaded


def test_the_first_load_is_under_200_kb():
    client = load_web_client()
    loaded = _first_load(client)

    assert "js/main.js" in loaded and "js/pages/request.js" in loaded, sorted(loaded)
    assert sum(loaded.values()) < FIRST_LOAD_BUDGET, loaded


@pytest.mark.parametrize("path", sorted(load_web_client().assets) + ["index.html"])
def test_no_asset_names_another_origin(path):
    client = load_web_client()
    asset = client.index if path == "index.html" else client.assets[path]
    text = asset.body.decode()
    # The SVG namespace is a name, not a place the page fetches from.
    text = text.replace("http://www.w3.org/2000/svg", "")

    assert not OTHER_ORIGIN.search(text), OTHER_ORIGIN.search(text)


def test_no_module_writes_markup_from_a_string():
    client = load_web_client()
    for path, asset in client.assets.items():
        if path.endswith(".js"):
            source = asset.body.decode()
            for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
                assert sink not in source, (path, sink)


def test_an_installed_service_carries_every_file_of_the_client():
    root = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]["service.web"]
    web = root / "service" / "web"
    packaged = {path for pattern in patterns for path in web.glob(pattern)}
    files = {p for p in web.rglob("*") if p.is_file() and p.name != "__init__.py"}
    files = {p for p in files if "__pycache__" not in p.parts}

    assert files - packaged == set(), "a file of the client the wheel would leave out"
