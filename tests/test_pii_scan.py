"""The session-wide PII scan (tests/conftest.py) catches what it should, and only that."""

from __future__ import annotations

import json

import httpx
import pytest

from service.domain.identity import resident_id_check_character, uscc_check_character
from tests.conftest import PiiScan, leak_in, personal_numbers
from tests.factories.partners import mobile, resident_id


def all_digit_uscc() -> str:
    """A valid USCC of digits only, as many public institutions' are (not an ID: no birth date)."""
    for serial in range(1000):
        first17 = f"12330106{serial:09d}"
        if (check := uscc_check_character(first17)).isdigit():
            return first17 + check
    raise AssertionError("no all-digit USCC found")


def id_and_uscc() -> str:
    """Eighteen digits that are a valid ID number and a valid USCC alike: counted as an ID."""
    for serial in range(1000):
        first17 = f"33010619900101{serial:03d}"
        candidate = first17 + resident_id_check_character(first17)
        if uscc_check_character(first17) == candidate[17]:
            return candidate
    raise AssertionError("no such number found")


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"id_number": resident_id()}),
        json.dumps({"id_number": resident_id()[:17] + "x"}),
        json.dumps({"phone": mobile()}),
        '{"detail": "phone: 13812345678 is not allowed"}',
        "13812345678",
        "<td>330106199001011234</td>",
        '{"note": "call 13812345678-ab12cd34"}',
    ],
)
def test_a_planted_number_is_a_leak(body):
    leak = leak_in("GET", "http://testserver/v1/social-workers", 200, body)
    assert leak is not None
    assert "/v1/social-workers" in str(leak)


@pytest.mark.parametrize(
    "body",
    [
        '{"id_number": "330106********1234", "phone": "138****5678"}',
        '{"contact_phone": "0571-87654321"}',
        '{"id": "5b3c8c2e-1f0a-4f57-9d1b-a13812345678"}',  # hex: a UUID, not a phone
        '{"request_id": "e13812345678f330106199001011234a"}',  # a request id
        '{"code": "330106002051", "weekly_hours": 40}',  # a 12-digit community code
        "1381234567890",  # 13 digits: neither a mobile nor an ID
        "0330106199001011234",  # 19 digits
        '{"uscc": "91350100M000100Y43"}',
        json.dumps({"uscc": all_digit_uscc()}),
    ],
)
def test_masked_values_and_other_numbers_are_not(body):
    assert personal_numbers(body) == []


def test_only_a_valid_uscc_that_cannot_be_an_id_number_is_let_through():
    assert personal_numbers(json.dumps({"uscc": id_and_uscc()})) != []
    uscc = all_digit_uscc()
    miscounted = uscc[:17] + str((int(uscc[17]) + 1) % 10)
    assert personal_numbers(json.dumps({"uscc": uscc})) == []
    assert personal_numbers(json.dumps({"uscc": miscounted})) == [miscounted]  # when in doubt


def test_the_contact_endpoints_may_disclose():
    body = json.dumps({"id_number": resident_id(), "phone": mobile()})
    assert leak_in("GET", "http://testserver/v1/social-workers/x/contact", 200, body) is None
    assert leak_in("GET", "http://testserver/v1/volunteers/x/contact?a=1", 200, body) is None
    assert leak_in("GET", "http://testserver/v1/contacts", 200, body) is not None
    assert leak_in("GET", "http://testserver/v1/social-workers/x", 200, body) is not None


def planted(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"phone": "13912345678"})


async def test_the_session_scan_sees_every_client_s_responses(pii_scan: PiiScan):
    before = len(pii_scan.leaks)
    async with httpx.AsyncClient(transport=httpx.MockTransport(planted)) as client:
        await client.get("http://planted/v1/async-leak")
    with httpx.Client(transport=httpx.MockTransport(planted)) as client:
        client.get("http://planted/v1/sync-leak")
        client.get("http://planted/v1/people/1/contact")

    caught = pii_scan.leaks[before:]
    del pii_scan.leaks[before:]  # planted on purpose: forgiven, so the session passes
    assert [leak.url for leak in caught] == [
        "http://planted/v1/async-leak",
        "http://planted/v1/sync-leak",
    ]
    assert pii_scan.scanned > 0
