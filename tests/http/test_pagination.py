"""Page tokens: opaque and signed, bound to their collection and to the filters they were issued
under; forged, foreign or older tokens are refused. Behaviour only: the format may change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import pytest

from service.http import pagination
from service.http.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PageParams,
    PageTokenSigner,
    decode_page_token,
    encode_page_token,
    page_params,
)
from service.http.problems import ProblemError
from service.settings import Settings


@dataclass(frozen=True)
class Filters:
    station_id: uuid.UUID | None = None
    since: date | None = None
    status: str | None = None


STATION = uuid.UUID("5b3c8c2e-1f0a-4f57-9d1b-a13812345678")
SIGNER = PageTokenSigner("the current secret")
STATIONS = "/v1/stations"


def refusal(token: str, filters: object, *, signer=SIGNER, collection=STATIONS) -> tuple:
    with pytest.raises(ProblemError) as caught:
        signer.verify(collection=collection, token=token, filters=filters)
    return caught.value.status, caught.value.code, caught.value.detail


INVALID = (
    400,
    "invalid_page_token",
    "page_token was not issued by this service for this collection",
)


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(station_id=STATION, since=date(2026, 3, 1), status="open"),
        {"district_code": "330106", "sort": "name"},
        {},
    ],
)
def test_a_token_continues_after_its_key_under_its_filters(filters):
    token = SIGNER.sign(collection=STATIONS, after="2026-03-01T08:00:00+00:00|42", filters=filters)

    assert SIGNER.verify(collection=STATIONS, token=token, filters=filters) == (
        "2026-03-01T08:00:00+00:00|42"
    )
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_every_token_continues_whatever_its_length():
    for length in range(60):
        token = SIGNER.sign(collection=STATIONS, after="k" * length, filters={"n": length})
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        assert (
            SIGNER.verify(collection=STATIONS, token=token, filters={"n": length}) == "k" * length
        )


def test_filters_in_any_order_and_absent_or_null_are_the_same():
    token = SIGNER.sign(collection=STATIONS, after="k", filters={"status": "open", "since": None})
    assert SIGNER.verify(collection=STATIONS, token=token, filters={"status": "open"}) == "k"
    assert SIGNER.verify(collection=STATIONS, token=token, filters=Filters(status="open")) == "k"
    both = SIGNER.sign(collection=STATIONS, after="k", filters={"a": 1, "b": 2})
    assert SIGNER.verify(collection=STATIONS, token=both, filters={"b": 2, "a": 1}) == "k"


@pytest.mark.parametrize(
    "other",
    [
        Filters(station_id=STATION, since=date(2026, 3, 2), status="open"),
        Filters(station_id=STATION, status="open"),
        Filters(station_id=uuid.uuid4(), since=date(2026, 3, 1), status="open"),
        Filters(),
    ],
)
def test_a_token_of_other_filters_is_refused_saying_what_to_do(other):
    issued = Filters(station_id=STATION, since=date(2026, 3, 1), status="open")
    token = SIGNER.sign(collection=STATIONS, after="k", filters=issued)
    assert refusal(token, other) == (
        400,
        "page_token_filter_mismatch",
        "page_token was issued for other filters; repeat the original filters or start over",
    )


def test_a_token_of_another_collection_or_secret_is_refused():
    token = SIGNER.sign(collection=STATIONS, after="k", filters={})
    assert refusal(token, {}, collection="/v1/offices") == INVALID
    assert refusal(token, {}, signer=PageTokenSigner("another secret")) == INVALID


def test_a_token_of_the_previous_secret_still_continues_after_a_rotation():
    token = PageTokenSigner("old").sign(collection=STATIONS, after="k", filters={})
    rotated = PageTokenSigner("new", previous="old")
    assert rotated.verify(collection=STATIONS, token=token, filters={}) == "k"
    assert refusal(token, {}, signer=PageTokenSigner("new")) == INVALID


def test_a_changed_or_made_up_token_is_refused():
    token = SIGNER.sign(collection=STATIONS, after="k", filters={})
    changed = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for forged in (changed, token[:-1], "not-a-token", "A", "____", token + "AAAA"):
        assert refusal(forged, {}) == INVALID


def test_a_token_of_another_format_version_is_refused(monkeypatch):
    monkeypatch.setattr(pagination, "_CONTEXT", b"linkage/page-token/v1\x00")
    old = SIGNER.sign(collection=STATIONS, after="k", filters={})
    monkeypatch.undo()
    assert refusal(old, {}) == INVALID


def test_the_configured_secret_signs(tmp_path):
    settings = Settings(page_token_secret="s3cret" * 6, data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    token = PageTokenSigner.from_settings(settings).sign(collection=STATIONS, after="k", filters={})
    assert PageTokenSigner("s3cret" * 6).verify(collection=STATIONS, token=token, filters={}) == "k"


def test_development_keeps_one_secret_beside_its_data(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    token = PageTokenSigner.from_settings(settings).sign(collection=STATIONS, after="k", filters={})
    again = PageTokenSigner.from_settings(settings)
    assert again.verify(collection=STATIONS, token=token, filters={}) == "k"


async def test_a_route_s_tokens_are_bound_to_its_own_path():
    assert (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) == (50, 200)

    def request(path: str) -> SimpleNamespace:
        app = SimpleNamespace(state=SimpleNamespace(page_tokens=SIGNER))
        return SimpleNamespace(url=SimpleNamespace(path=path), app=app)

    assert await page_params(request(STATIONS), page_size=7, page_token="abc") == PageParams(
        7, "abc"
    )
    token = encode_page_token("k", {"a": 1})
    assert decode_page_token(token, {"a": 1}) == "k"
    assert decode_page_token(None, {"a": 1}) is None
    assert SIGNER.verify(collection=STATIONS, token=token, filters={"a": 1}) == "k"
    await page_params(request("/v1/offices"), page_size=DEFAULT_PAGE_SIZE, page_token=None)
    with pytest.raises(ProblemError):
        decode_page_token(token, {"a": 1})


def test_both_configured_secrets_are_kept(tmp_path):
    previous = PageTokenSigner("p" * 32).sign(collection=STATIONS, after="k", filters={})
    for current in ("c" * 32, None):
        settings = Settings(
            page_token_secret=current,
            page_token_previous_secret="p" * 32,
            data_dir=tmp_path,
            _env_file=None,  # type: ignore[call-arg]
        )
        signer = PageTokenSigner.from_settings(settings)
        assert signer.verify(collection=STATIONS, token=previous, filters={}) == "k"


def test_tokens_are_made_only_where_a_route_takes_page_params():
    with pytest.raises(
        RuntimeError, match="^page tokens are made in a route that takes PageParamsDep$"
    ):
        encode_page_token("k", {})
