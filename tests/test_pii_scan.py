"""The session-wide PII scan (tests/conftest.py, tests/pii_patterns.py) catches what it should,
and only that. Every number here is a literal: the scan must not lean on the validators."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import PiiScan
from tests.pii_patterns import leak_in, personal_numbers


@pytest.mark.parametrize(
    "body",
    [
        '{"id_number": "33010619900101123X"}',
        '{"id_number": "33010619900101123x"}',
        '{"id_number": "330106199001011231"}',  # a wrong check digit is still somebody's number
        "<td>110105194912310097</td>",
        '{"uscc": "330106199001011213"}',  # a valid USCC, and a valid ID number as well
        '{"phone": "13012345678"}',
        '{"phone": "14512345678"}',
        '{"phone": "15212345678"}',
        '{"phone": "16612345678"}',
        '{"phone": "17312345678"}',
        '{"phone": "18612345678"}',
        '{"phone": "19912345678"}',
        '{"detail": "phone: 13812345678 is not allowed"}',
        '{"note": "call 138 1234 5678 or 138-1234-5678"}',
        '{"note": "+86 13812345678"}',
        '{"note": "+8613812345678"}',
        '{"note": "call 13812345678-ab12cd34"}',
        '{"phone": "0571-87654321"}',  # a person's landline
        '{"phone": "057187654321"}',
        '{"phone": "010-62751234"}',
        '{"phone": "0571-87654321-8008"}',
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
        '{"phone": "****-****4321"}',
        '{"contact_phone": "0571-87654321"}',  # an institution's landline is public
        '{"contact_phone": "057187654321"}',
        '{"id": "5b3c8c2e-1f0a-4f57-9d1b-a13812345678"}',  # hex: a UUID, not a phone
        '{"request_id": "e13812345678f330106199001011234a"}',  # a request id
        '{"code": "330106002051", "weekly_hours": 40}',  # a 12-digit community code
        "1381234567890",  # 13 digits: neither a mobile nor an ID
        "12012345678",  # no mobile prefix starts 12
        "0330106199001011234",  # 19 digits
        "330106199013011234",  # the 13th month: no birth date
        '{"uscc": "91350100M000100Y43"}',
        '{"uscc": "123301004701166290"}',  # all digits, but "0047" is no year of birth
        '{"total_seconds": 1741939200123}',
    ],
)
def test_masked_values_and_other_numbers_are_not(body):
    assert personal_numbers(body) == []


def test_the_contact_endpoints_may_disclose():
    body = json.dumps({"id_number": "33010619900101123X", "phone": "15212345678"})
    assert leak_in("GET", "http://testserver/v1/social-workers/x/contact", 200, body) is None
    assert leak_in("GET", "http://testserver/v1/volunteers/x/contact?a=1", 200, body) is None
    assert leak_in("GET", "http://testserver/v1/contacts", 200, body) is not None
    assert leak_in("GET", "http://testserver/v1/social-workers/x", 200, body) is not None


def planted(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"phone": "17712345678"})


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
