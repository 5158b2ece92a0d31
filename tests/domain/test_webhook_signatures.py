"""Our signatures are Standard Webhooks signatures: the spec's published vector, and the
reference library's verifier."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
import standardwebhooks

from service.domain.webhooks import (
    Outcome,
    RetryPolicy,
    message_headers,
    new_secret,
    outcome_of,
    secret_key,
    sign,
)

# The example of the Standard Webhooks specification (standard-webhooks/standard-webhooks).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_specification_vector_reproduces_exactly():
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_a_changed_body_id_or_timestamp_changes_the_signature():
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY + b" ") != SPEC_SIGNATURE
    assert sign(SPEC_SECRET, SPEC_ID + "x", SPEC_TIMESTAMP, SPEC_BODY) != SPEC_SIGNATURE
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP + 1, SPEC_BODY) != SPEC_SIGNATURE


def test_the_reference_library_verifies_our_headers(monkeypatch):
    secret = new_secret()
    assert secret.startswith("whsec_") and len(secret_key(secret)) == 32
    body = json.dumps({"type": "station.created", "data": {}}).encode()
    import time

    headers = message_headers([secret], "msg_1", int(time.time()), body)
    assert standardwebhooks.Webhook(secret).verify(body, headers) == json.loads(body)
    with pytest.raises(standardwebhooks.webhooks.WebhookVerificationError):
        standardwebhooks.Webhook(new_secret()).verify(body, headers)


def test_during_a_rotation_either_secret_verifies():
    import time

    old, new = new_secret(), new_secret()
    body = b'{"a": 1}'
    headers = message_headers([new, old], "msg_2", int(time.time()), body)
    assert headers["webhook-signature"].count("v1,") == 2
    for secret in (old, new):
        standardwebhooks.Webhook(secret).verify(body, headers)


def test_the_reference_library_signs_what_we_sign():
    from datetime import UTC, datetime

    library = standardwebhooks.Webhook(SPEC_SECRET).sign(
        SPEC_ID, datetime.fromtimestamp(SPEC_TIMESTAMP, UTC), SPEC_BODY.decode()
    )
    assert library == SPEC_SIGNATURE
    assert base64.b64decode(SPEC_SIGNATURE[3:])


def test_backoff_grows_with_jitter_is_capped_and_retries_for_at_least_a_day():
    import random

    policy = RetryPolicy()
    rng = random.Random(7)
    delays = [policy.delay(n, rng=rng) for n in range(1, 20)]
    assert delays[0] <= policy.base and delays[0] >= policy.base / 2
    assert all(d <= policy.cap for d in delays)
    assert delays[8] > delays[2]
    assert max(delays) >= policy.cap / 2
    assert not policy.gives_up(timedelta(hours=23, minutes=59))
    assert RetryPolicy().window >= timedelta(hours=24)
    assert policy.gives_up(policy.window)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (204, Outcome.DELIVERED),
        (410, Outcome.GONE),
        (301, Outcome.RETRY),
        (500, Outcome.RETRY),
        (404, Outcome.RETRY),
        (None, Outcome.RETRY),
    ],
)
def test_what_an_answer_means(status, outcome):
    assert outcome_of(status) is outcome
