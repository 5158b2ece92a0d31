"""What an attacker sends is answered, not crashed on: no redirect built from the Host header,
no 500 from huge numbers, NUL bytes, broken UTF-8 or malformed headers in any query parameter
of the contract (a name search may well find nothing for `999…`: any answer but a 5xx)."""

from __future__ import annotations

import re

import pytest

from service.domain.access import Scope
from service.main import create_app
from service.settings import Settings

ABSENT_ID = "00000000-0000-4000-8000-000000000001"
# Written as they go on the wire (percent-encoded): a NUL, a lone surrogate and a byte that is
# no UTF-8 at all, numbers no column holds, and a long run of non-ASCII text.
HOSTILE = ["9" * 40, "9" * 5000, "-1e400", "a%00b", "%ED%A0%80", "%FF", "%C3%A9" * 300]


def query_parameters() -> list[tuple[str, str]]:
    """(path, parameter) for every query parameter of every GET operation of the contract."""
    document = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    return sorted(
        (re.sub(r"\{[^}]+\}", ABSENT_ID, path), parameter["name"])
        for path, operations in document["paths"].items()
        for parameter in operations.get("get", {}).get("parameters", [])
        if parameter["in"] == "query"
    )


PARAMETERS = query_parameters()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8443", "[::1]"])
@pytest.mark.parametrize("path", ["/v1/stations/", "/v1/divisions/", "/healthz/"])
async def test_no_redirect_echoes_the_host_header(admin, host, path):
    response = await admin.get(path, headers={"Host": host})
    assert response.status_code == 404
    assert "location" not in response.headers
    assert host not in response.text
    assert response.json()["detail"].endswith(f"(without the final slash: {path[:-1]})")


@pytest.mark.parametrize(("path", "name"), PARAMETERS)
async def test_hostile_query_values_are_never_5xx(path, name, admin, make_client):
    client = await make_client(Scope.AUDIT) if path.startswith("/v1/audit-events") else admin
    for value in HOSTILE:
        response = await client.get(f"{path}?{name}={value}")
        assert response.status_code < 500, (value[:20], response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("If-None-Match", b"a\x00b"),
        ("If-None-Match", b'"1", W/"\xff"'),
        ("X-Request-ID", b"\x00" * 10),
        ("Authorization", b"Bearer \x00"),
        ("Authorization", b"Bearer \xe9\xe9"),
        ("Authorization", b"Basic Zm9vOmJhcg=="),
    ],
)
async def test_hostile_headers_are_not_500(admin, header, value):
    response = await admin.get(f"/v1/stations/{ABSENT_ID}", headers={header: value})
    assert response.status_code in (401, 404), response.text
