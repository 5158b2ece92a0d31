"""Page tokens are signed and bound to their collection and filters: whatever a caller makes up,
changes or carries over from another collection is 400 `invalid_page_token`, never a 500."""

from __future__ import annotations

import base64
import re
import uuid

import orjson
import pytest
from fastapi import FastAPI

from service.domain.access import Scope
from service.http.pagination import PageTokenSigner
from service.main import create_app
from service.settings import Settings
from tests.factories.registry import QINGBO, create_station


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


ABSENT_ID = "00000000-0000-4000-8000-000000000001"


def paginated_collections() -> list[str]:
    """Every GET operation of the contract that takes a page token, ids filled with UUIDs."""
    document = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    return sorted(
        re.sub(r"\{[^}]+\}", ABSENT_ID, path)
        for path, operations in document["paths"].items()
        if any(p["name"] == "page_token" for p in operations.get("get", {}).get("parameters", []))
    )


COLLECTIONS = paginated_collections()
UUID_IN_PATH = re.compile(r"/[0-9a-f]{8}-[0-9a-f]{4}-")
MADE_UP = [
    b64(orjson.dumps({"v": 1, "a": "\u0000", "f": "0"})),
    b64(orjson.dumps({"v": 2, "a": "1" * 40, "f": "0"})),
    b64(b'{"v": 2, "a": 1e400, "f": 1e999}'),
    b64(orjson.dumps({"v": 2, "a": 10**18, "f": None})),
    b64(orjson.dumps([1, 2, 3])),
    b64(orjson.dumps("a string")),
    b64(b"null"),
    b64(b"\x00" * 40),
    b64(b"\xff" * 64),
    "A",
    "AAAA",
    "not-a-token",
    "_" * 513,  # past the parameter's own bound: invalid_parameter
]


@pytest.fixture
async def audit_client(make_client):
    return await make_client(Scope.AUDIT, name="auditor")


def caller_for(path: str, admin, audit_client):
    return audit_client if path.startswith("/v1/audit-events") else admin


async def test_the_corpus_covers_every_paginated_collection():
    assert "/v1/stations" in COLLECTIONS and "/v1/audit-events" in COLLECTIONS
    assert len(COLLECTIONS) >= 15


@pytest.mark.parametrize("path", COLLECTIONS)
async def test_made_up_tokens_are_400_on_every_collection(path, admin, audit_client):
    client = caller_for(path, admin, audit_client)
    for token in MADE_UP:
        response = await client.get(path, params={"page_token": token})
        assert response.status_code in (400, 404), (token, response.text)
        if response.status_code == 400:
            assert response.json()["code"] in ("invalid_page_token", "invalid_parameter")
        else:  # a collection under a parent that does not exist
            assert UUID_IN_PATH.search(path), (token, response.text)


async def genuine_token(client, path: str, **params) -> str:
    page = await client.get(path, params={"page_size": 1, **params})
    assert page.status_code == 200, page.text
    token = page.json()["next_page_token"]
    assert token
    return token


async def test_a_token_of_one_collection_is_refused_by_another(admin):
    await create_station(admin)
    await create_station(admin, QINGBO)
    stations = await genuine_token(admin, "/v1/stations")

    for other in ("/v1/organisations", "/v1/divisions", "/v1/offices", "/v1/volunteers"):
        response = await admin.get(other, params={"page_token": stations})
        assert response.status_code == 400, other
        assert response.json()["code"] == "invalid_page_token"
    assert (await admin.get("/v1/stations", params={"page_token": stations})).status_code == 200


@pytest.mark.parametrize("cut", ["truncated", "flipped", "extended"])
async def test_a_changed_token_is_refused(admin, cut):
    token = await genuine_token(admin, "/v1/divisions")
    changed = {
        "truncated": token[:-3],
        "flipped": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "extended": token + "AAAA",
    }[cut]
    response = await admin.get("/v1/divisions", params={"page_token": changed})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_page_token"


async def test_a_payload_rewritten_under_the_old_signature_is_refused(admin):
    token = await genuine_token(admin, "/v1/divisions")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    tag, payload = raw[:16], orjson.loads(raw[16:])
    forged = b64(tag + orjson.dumps(payload | {"a": '["330100"]'}))
    response = await admin.get("/v1/divisions", params={"page_token": forged})
    assert response.json()["code"] == "invalid_page_token"


async def test_a_token_for_one_parent_is_refused_for_another(admin):
    """The collection is the path, ids included: one team's members are not another's."""
    signer: PageTokenSigner = admin._transport.app.state.page_tokens
    one, other = uuid.uuid4(), uuid.uuid4()
    filters = {"team_id": str(one)}
    token = signer.sign(
        collection=f"/v1/volunteer-teams/{one}/members", after='["x"]', filters=filters
    )
    assert signer.verify(
        collection=f"/v1/volunteer-teams/{one}/members", token=token, filters=filters
    )
    with pytest.raises(Exception, match="not issued"):
        signer.verify(
            collection=f"/v1/volunteer-teams/{other}/members", token=token, filters=filters
        )


def signer_app(settings: Settings, **secrets: str) -> FastAPI:
    return create_app(settings.model_copy(update=secrets))


async def test_tokens_signed_with_the_previous_secret_survive_a_rotation(settings):
    old, new, stranger = "o" * 32, "n" * 32, "s" * 32
    before = PageTokenSigner(old)
    after = PageTokenSigner(new, previous=old)
    elsewhere = PageTokenSigner(stranger)
    token = before.sign(collection="/v1/stations", after='["x"]', filters={})

    assert after.verify(collection="/v1/stations", token=token, filters={}) == '["x"]'
    with pytest.raises(Exception, match="not issued"):
        elsewhere.verify(collection="/v1/stations", token=token, filters={})
    fresh = after.sign(collection="/v1/stations", after='["y"]', filters={})
    with pytest.raises(Exception, match="not issued"):
        before.verify(collection="/v1/stations", token=fresh, filters={})


def test_a_development_instance_keeps_its_secret_in_the_data_dir(tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    token = PageTokenSigner.from_settings(settings).sign(collection="/c", after="k", filters={})
    assert (tmp_path / "page-token.key").stat().st_mode & 0o077 == 0
    again = PageTokenSigner.from_settings(settings)  # a restart reads the same secret
    assert again.verify(collection="/c", token=token, filters={}) == "k"
