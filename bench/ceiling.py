"""The ceiling: the two station reads as a raw ASGI app on an asyncpg pool, with no framework.

It answers `GET /stations/{id}` (a primary-key select) and `GET /stations` (the first page of 50 in
township-code order) with the same JSON as the service's `GET /v1/stations/{id}` and
`GET /v1/stations`, serialised with orjson. No auth, no validation, no middleware, no metrics: what
is left is uvicorn, asyncpg and orjson, the part of a request the service cannot avoid.

Run it as `uvicorn --app-dir bench ceiling:app`, with `CEILING_DSN` (a plain `postgresql://` DSN),
`CEILING_PAGE_TOKEN_SECRET` (the service's `LINKAGE_PAGE_TOKEN_SECRET`: page tokens are signed)
and optionally `CEILING_POOL_SIZE` (default 10, the service's `LINKAGE_DB_POOL_SIZE`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from typing import Any

import asyncpg
import orjson

PAGE_SIZE = 50
COLUMNS = (
    "id, name, township_code, district_code, status, operating_mode, is_demonstration,"
    " demonstration_year, facilities, management_systems, specialties, focus_groups,"
    " service_items, address, lat, lon, contact_phone, version, created_at, updated_at"
)
BY_ID = f"SELECT {COLUMNS} FROM station WHERE id = $1"  # noqa: S608 - constant text
FIRST_PAGE = f"SELECT {COLUMNS} FROM station ORDER BY township_code LIMIT $1"  # noqa: S608

JSON_OPTIONS = orjson.OPT_UTC_Z
JSON_HEADERS = [(b"content-type", b"application/json")]
NOT_FOUND = b'{"status":404,"code":"not_found"}'
# The service's page token for "no filters": the digest of an empty filter set never changes.
_NO_FILTERS = hashlib.sha256(orjson.dumps({}, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
# Tokens are signed (HMAC-SHA256, truncated to 16 bytes) over the service's collection path
# and the payload, with the secret both servers are given (CEILING_PAGE_TOKEN_SECRET).
_TOKEN_CONTEXT = b"linkage/page-token/v2\x00/v1/stations\x00"
_TOKEN_SECRET = os.environ.get("CEILING_PAGE_TOKEN_SECRET", "").encode()

Record = Any
Message = dict[str, Any]


def _station(row: Record) -> dict[str, Any]:
    """A row as the service's StationRead JSON object (same keys, same order)."""
    lat, lon = row["lat"], row["lon"]
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "township_code": row["township_code"],
        "district_code": row["district_code"],
        "status": row["status"],
        "operating_mode": row["operating_mode"],
        "is_demonstration": row["is_demonstration"],
        "demonstration_year": row["demonstration_year"],
        "facilities": row["facilities"],
        "management_systems": row["management_systems"],
        "specialties": row["specialties"],
        "focus_groups": row["focus_groups"],
        "service_items": row["service_items"],
        "address": row["address"],
        "location": None if lat is None or lon is None else {"lat": lat, "lon": lon},
        "contact_phone": row["contact_phone"],
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _page_token(after: str) -> str:
    payload = orjson.dumps({"v": 2, "a": after, "f": _NO_FILTERS})
    tag = hmac.new(_TOKEN_SECRET, _TOKEN_CONTEXT + payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(tag + payload).rstrip(b"=").decode("ascii")


async def _init_connection(connection: asyncpg.Connection) -> None:
    for name in ("jsonb", "json"):
        await connection.set_type_codec(
            name, encoder=orjson.dumps, decoder=orjson.loads, schema="pg_catalog", format="text"
        )


class Ceiling:
    """The ASGI app: a lifespan that owns the pool, and two GET routes."""

    def __init__(self, dsn: str, pool_size: int) -> None:
        self.dsn = dsn
        self.pool_size = pool_size
        self.pool: asyncpg.Pool | None = None

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await self._http(scope, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.pool = await asyncpg.create_pool(
                    self.dsn,
                    min_size=self.pool_size,
                    max_size=self.pool_size,
                    init=_init_connection,
                    server_settings={"application_name": "linkage-bench-ceiling"},
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Message, send: Any) -> None:
        path: str = scope["path"]
        assert self.pool is not None
        if path == "/stations":
            rows = await self.pool.fetch(FIRST_PAGE, PAGE_SIZE + 1)
            items = [_station(row) for row in rows[:PAGE_SIZE]]
            token = _page_token(items[-1]["township_code"]) if len(rows) > PAGE_SIZE else None
            body = orjson.dumps({"items": items, "next_page_token": token}, option=JSON_OPTIONS)
            await _respond(send, 200, body)
        elif path.startswith("/stations/"):
            try:
                station_id = uuid.UUID(path[len("/stations/") :])
            except ValueError:
                await _respond(send, 404, NOT_FOUND)
                return
            row = await self.pool.fetchrow(BY_ID, station_id)
            if row is None:
                await _respond(send, 404, NOT_FOUND)
                return
            body = orjson.dumps(_station(row), option=JSON_OPTIONS)
            await _respond(send, 200, body, etag=f'"{row["version"]}"'.encode())
        elif path == "/healthz":
            await _respond(send, 200, b'{"status":"ok"}')
        else:
            await _respond(send, 404, NOT_FOUND)


async def _respond(send: Any, status: int, body: bytes, etag: bytes | None = None) -> None:
    headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
    if etag is not None:
        headers.append((b"etag", etag))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


app = Ceiling(
    os.environ.get("CEILING_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"),
    int(os.environ.get("CEILING_POOL_SIZE", "10")),
)
