"""Webhooks: Standard Webhooks signatures, the retry schedule, and which endpoints we may call.

Signatures follow https://www.standardwebhooks.com: the signed content is
`{webhook-id}.{webhook-timestamp}.{body}`, HMAC-SHA256 under the secret's key (the base64 after
`whsec_`), sent as `webhook-signature: v1,<base64>`; several space-separated while a rotated-out
secret is still honoured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import random
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from urllib.parse import urlsplit

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32


class SubscriptionStatus(StrEnum):
    """A subscription is sent to (active), holds its deliveries (paused), or was disabled."""

    ACTIVE = "active"
    PAUSED = "paused"
    DISABLED = "disabled"


class DeliveryStatus(StrEnum):
    """Where one delivery stands."""

    PENDING = "pending"  # due now or after its back-off
    DELIVERED = "delivered"  # a 2xx answer
    FAILED = "failed"  # 410 Gone, or failing for longer than the retry window


def new_secret() -> str:
    """A fresh signing secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key of a secret: the base64 after `whsec_`."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature of a message."""
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_header(
    secrets_in_force: Iterable[str], message_id: str, timestamp: int, body: bytes
) -> str:
    """The `webhook-signature` header: one signature per secret in force, space-separated."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in secrets_in_force)


def message_headers(
    secrets_in_force: Iterable[str], message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers of a delivery attempt."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets_in_force, message_id, timestamp, body),
        "content-type": "application/json",
    }


# --- Retries ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential back-off with full jitter, capped, for a window of at least a day."""

    base: timedelta = timedelta(seconds=10)
    cap: timedelta = timedelta(hours=1)
    window: timedelta = timedelta(hours=48)

    def delay(self, attempts: int, *, rng: random.Random | None = None) -> timedelta:
        """How long to wait after the `attempts`-th failed attempt: a random share (half to all)
        of min(cap, base·2^(attempts-1))."""
        ceiling = min(self.cap, self.base * (2 ** max(0, min(attempts - 1, 30))))
        share: float = 0.5 + 0.5 * (rng or random).random()
        delay: timedelta = ceiling * share
        return delay

    def gives_up(self, failing_for: timedelta) -> bool:
        """Whether a delivery failing this long is given up (and its subscription disabled)."""
        return failing_for >= self.window


class Outcome(StrEnum):
    """What one attempt's answer means."""

    DELIVERED = "delivered"
    RETRY = "retry"
    GONE = "gone"  # 410: the receiver says the endpoint is gone for good


def outcome_of(status_code: int | None) -> Outcome:
    """2xx delivered, 410 gone, anything else (3xx included: no redirects) retried."""
    if status_code is not None and 200 <= status_code < 300:
        return Outcome.DELIVERED
    if status_code == 410:
        return Outcome.GONE
    return Outcome.RETRY


# --- Which endpoints we call (SSRF) -------------------------------------------------------------

NAT64 = ipaddress.ip_network("64:ff9b::/96")


def url_problem(url: str, *, allow_loopback: bool) -> str | None:
    """Why a URL may not be a webhook endpoint (its syntax and scheme), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("https", "http"):
        return "only https URLs"
    if parts.username is not None or parts.password is not None:
        return "no credentials in the URL"
    if not parts.hostname:
        return "the URL has no host"
    if parts.fragment:
        return "no fragment in the URL"
    if port == 0:
        return "port 0"
    if parts.scheme == "http":
        if not allow_loopback:
            return "only https URLs"
        literal = _literal_address(parts.hostname)
        if parts.hostname != "localhost" and (literal is None or not literal.is_loopback):
            return "http only to a loopback address (when allowed); use https"
    literal = _literal_address(parts.hostname)
    if literal is not None:
        return address_problem(str(literal), allow_loopback=allow_loopback)
    return None


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def address_problem(address: str, *, allow_loopback: bool) -> str | None:
    """Why we may not connect to this IP address (private, loopback, link-local, metadata,
    reserved…), or None for a public one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_problem(str(embedded), allow_loopback=allow_loopback)
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    if ip.is_link_local:
        return "a link-local address (cloud metadata among them)"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_private or not ip.is_global:
        return "a private or reserved address"
    return None
