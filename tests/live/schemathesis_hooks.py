"""Loaded by the Schemathesis run of test_contract.py (SCHEMATHESIS_HOOKS): every response it
receives goes through the same PII patterns as the session-wide scan of the test process."""

from __future__ import annotations

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


# Bulk bodies are text: NDJSON as CSV are sent as they are, like text/plain.
schemathesis.serializer.alias(["application/x-ndjson", "text/csv"], "text/plain")
