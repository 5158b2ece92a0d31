"""Loaded by the Schemathesis run of test_contract.py (SCHEMATHESIS_HOOKS): every response it
receives goes through the same PII patterns as the session-wide scan of the test process."""

from __future__ import annotations

import json
from typing import Any

import schemathesis

from tests.pii_patterns import leak_in


@schemathesis.check
def no_personal_data_outside_contact_endpoints(ctx: Any, response: Any, case: Any) -> None:
    """No ID number, mobile or person's landline in a response, save from `…/contact`."""
    request = response.request
    leak = leak_in(request.method, str(request.url), response.status_code, response.text)
    if leak is not None:
        raise AssertionError(f"personal data in the response: {leak}")


@schemathesis.serializer("application/x-ndjson", "text/csv")
def bulk_lines(ctx: Any, value: Any) -> bytes:
    """Bulk bodies are text (`type: string` with a framing pattern): a string is sent as it is.

    A value of another type is what negative testing makes of the body. Sent as plain JSON text
    it could be a valid body (`{"a": 1}` is one NDJSON line), so the check would blame the
    service for accepting text the contract allows; it is sent as a JSON string literal instead
    (`"{\"a\": 1}"`), which no framed body starts with.
    """
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(json.dumps(value, default=str)).encode("utf-8")
