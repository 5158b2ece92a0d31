"""/app/: the stations' thin client, static files served by the service itself (no CDN, no build).

The page is plain HTML, CSS and ES modules from `service/web/`, read once at start-up. It talks to
the public JSON API only, with the key the user types in (kept in the tab's sessionStorage).

Caching: `/app/` (the HTML) is revalidated every time (`no-cache` with an ETag); it names every
asset under `/app/<version>/…`, where the version is a hash of all the files, so assets – and
the modules they import by relative path – are cached for a year and a new release is a new
URL. An asset asked for under another version (a page open across a release) is still served,
but revalidated rather than cached for long.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

# No inline script or style, nothing from another origin, never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
VERSION_PLACEHOLDER = "__VERSION__"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".ico": "image/x-icon",
    ".png": "image/png",
}


@dataclass(frozen=True)
class Asset:
    """One file's bytes, media type and entity tag."""

    body: bytes
    media_type: str
    etag: str


@dataclass(frozen=True)
class WebClient:
    """The client's files by path, the version they make together, and the rendered page."""

    assets: dict[str, Asset]
    version: str
    index: Asset


def _walk(root: Traversable, prefix: str = "") -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for entry in root.iterdir():
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            found |= _walk(entry, f"{name}/")
        elif not entry.name.startswith(".") and entry.name != "__init__.py":
            found[name] = entry.read_bytes()
    return found


def _asset(body: bytes, path: str) -> Asset:
    suffix = path[path.rfind(".") :] if "." in path else ""
    media_type = TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    return Asset(body, media_type, f'"{hashlib.sha256(body).hexdigest()[:32]}"')


def load_web_client() -> WebClient:
    """Read `service/web/` (from the installed package) and fix the release's version."""
    raw = _walk(files("service").joinpath("web"))
    digest = hashlib.sha256()
    for path in sorted(raw):
        digest.update(path.encode() + b"\0" + raw[path] + b"\0")
    version = digest.hexdigest()[:16]
    page = raw.pop("index.html").replace(VERSION_PLACEHOLDER.encode(), version.encode())
    return WebClient(
        assets={path: _asset(body, path) for path, body in raw.items()},
        version=version,
        index=_asset(page, "index.html"),
    )


router = APIRouter(include_in_schema=False)
_client: WebClient | None = None


def web_client() -> WebClient:
    """The client's files, read on first use."""
    global _client
    if _client is None:
        _client = load_web_client()
    return _client


def _answer(request: Request, asset: Asset, cache_control: str) -> Response:
    headers = SECURITY_HEADERS | {"ETag": asset.etag, "Cache-Control": cache_control}
    if_none_match = request.headers.get("if-none-match", "")
    if asset.etag in {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    body = b"" if request.method == "HEAD" else asset.body
    response = Response(body, media_type=asset.media_type, headers=headers)
    response.headers["Content-Length"] = str(len(asset.body))
    return response


@router.api_route("/app", methods=["GET", "HEAD"])
async def web_page_without_slash() -> Response:
    """The page's address with its slash (a path-only Location: nothing from the Host header)."""
    return RedirectResponse("/app/", status_code=308)


@router.api_route("/app/", methods=["GET", "HEAD"])
async def web_page(request: Request) -> Response:
    """The client's single page."""
    return _answer(request, web_client().index, REVALIDATE)


@router.api_route("/app/{version}/{path:path}", methods=["GET", "HEAD"])
async def web_asset(request: Request, version: str, path: str) -> Response:
    """A script, style sheet or image of the client."""
    client = web_client()
    asset = client.assets.get(path)
    if asset is None:
        raise HTTPException(404, f"the web client has no file {path!r}")
    return _answer(request, asset, IMMUTABLE if version == client.version else REVALIDATE)
