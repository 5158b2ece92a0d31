"""Page tokens: opaque, bound to the filters they were issued under, refused when forged or
from another version of the format. Behaviour only: the format itself may change."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import date

import orjson
import pytest

from service.http import pagination
from service.http.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PageParams,
    decode_page_token,
    encode_page_token,
    page_params,
)
from service.http.problems import ProblemError


@dataclass(frozen=True)
class Filters:
    station_id: uuid.UUID | None = None
    since: date | None = None
    status: str | None = None


STATION = uuid.UUID("5b3c8c2e-1f0a-4f57-9d1b-a13812345678")


def refusal(token: str, filters: object) -> tuple[int, str]:
    with pytest.raises(ProblemError) as caught:
        decode_page_token(token, filters)
    return caught.value.status, caught.value.code


async def test_the_parameters_are_passed_on_as_given():
    assert await page_params(page_size=7, page_token="abc") == PageParams(size=7, token="abc")
    assert await page_params() == PageParams(size=DEFAULT_PAGE_SIZE, token=None)
    assert (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) == (50, 200)


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
    token = encode_page_token("2026-03-01T08:00:00+00:00|42", filters)

    assert decode_page_token(token, filters) == "2026-03-01T08:00:00+00:00|42"
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_every_token_continues_whatever_its_length_or_last_character():
    for length in range(60):
        after = "k" * length
        assert decode_page_token(encode_page_token(after, {"n": length}), {"n": length}) == after


def test_filters_are_the_same_in_any_order():
    token = encode_page_token("k", {"status": "open", "district_code": "330106"})
    assert decode_page_token(token, {"district_code": "330106", "status": "open"}) == "k"


def test_no_token_is_the_first_page():
    assert decode_page_token(None, Filters()) is None


def test_an_absent_filter_and_a_null_one_are_the_same_filters():
    token = encode_page_token("k", {"status": "open", "since": None})
    assert decode_page_token(token, {"status": "open"}) == "k"
    assert decode_page_token(token, Filters(status="open")) == "k"


@pytest.mark.parametrize(
    "other",
    [
        Filters(station_id=STATION, since=date(2026, 3, 2), status="open"),
        Filters(station_id=STATION, status="open"),
        Filters(station_id=uuid.uuid4(), since=date(2026, 3, 1), status="open"),
        Filters(),
    ],
)
def test_a_token_of_other_filters_is_refused(other):
    token = encode_page_token(
        "k", Filters(station_id=STATION, since=date(2026, 3, 1), status="open")
    )
    assert refusal(token, other) == (400, "page_token_filter_mismatch")


def forged(payload: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "A",
        forged(["k"]),
        forged({"a": "k"}),
        forged({"v": 1, "a": 7}),
        forged({"v": 1}),
        forged("k"),
        "____",
    ],
)
def test_a_token_we_did_not_issue_is_refused(token):
    assert refusal(token, {}) == (400, "invalid_page_token")


def test_a_token_of_another_format_version_is_refused(monkeypatch):
    monkeypatch.setattr(pagination, "_TOKEN_VERSION", 2)
    old = encode_page_token("k", Filters())
    monkeypatch.undo()

    assert refusal(old, Filters()) == (400, "invalid_page_token")
    assert decode_page_token(encode_page_token("k", Filters()), Filters()) == "k"


def test_the_problem_says_what_to_do():
    with pytest.raises(ProblemError) as mismatch:
        decode_page_token(encode_page_token("k", {"a": 1}), {"a": 2})
    with pytest.raises(ProblemError) as invalid:
        decode_page_token("nonsense", {})

    assert mismatch.value.detail == (
        "page_token was issued for other filters; repeat the original filters or start over"
    )
    assert invalid.value.detail == "page_token is not a token this API issued"
