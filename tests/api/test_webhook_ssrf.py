"""SSRF: a webhook URL whose host is, or resolves to, a private, loopback, link-local or metadata
address is refused when subscribing, and again when connecting (the resolver may change its
answer in between: the address actually connected to is the one checked)."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from service.domain.access import Scope
from service.relay import webhook_client
from service.usecases.webhook_policy import WebhookPolicy

PUBLIC = "93.184.215.14"


def fake_resolver(answers: dict[str, list[str]]):  # noqa: ANN201
    async def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError(f"{host}: no such host")
        return answers[host]

    return resolve


HOSTILE = [
    "http://example.org/hook",  # plain http to a public host
    "ftp://example.org/hook",
    "https://user:pw@example.org/hook",
    "https:///hook",
    "https://127.0.0.1/hook",
    "https://127.1.2.3/hook",
    "https://[::1]/hook",
    "https://10.0.0.5/hook",
    "https://172.16.3.4/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data",  # cloud metadata
    "https://[fe80::1]/hook",
    "https://[fd00:ec2::254]/hook",  # AWS metadata over IPv6
    "https://100.64.0.1/hook",  # carrier-grade NAT
    "https://0.0.0.0/hook",
    "https://[::]/hook",
    "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
    "https://[::ffff:169.254.169.254]/hook",
    "https://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
    "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
    "https://224.0.0.1/hook",  # multicast
    "https://240.0.0.1/hook",  # reserved
    "https://198.18.0.1/hook",  # benchmarking
    "https://internal.resolves.private/hook",
    "https://metadata.resolves.linklocal/hook",
    "https://mixed.resolves.one.private/hook",
    "https://nowhere.invalid/hook",
    "https://example.org/hook#fragment",
]
RESOLVER = {
    "example.org": [PUBLIC],
    "internal.resolves.private": ["10.1.2.3"],
    "metadata.resolves.linklocal": ["169.254.169.254"],
    "mixed.resolves.one.private": [PUBLIC, "192.168.0.10"],
}


@pytest.fixture
def strict(services):
    """The production policy (no loopback) with a resolver the test controls."""
    policy = WebhookPolicy(allow_loopback=False, resolver=fake_resolver(RESOLVER))
    object.__setattr__(services, "webhooks", policy)
    yield policy
    object.__setattr__(services, "webhooks", WebhookPolicy(allow_loopback=True))


@pytest.mark.parametrize("url", HOSTILE)
async def test_a_hostile_url_is_refused_at_subscription(make_client, strict, url):
    client = await make_client(Scope.WEBHOOKS_MANAGE)
    response = await client.post("/v1/webhook-subscriptions", json={"url": url})
    assert response.status_code == 422, response.text
    assert response.json()["code"] in {"unsafe_webhook_url", "validation_failed", "invalid"}


async def test_a_public_https_url_is_accepted(make_client, strict):
    client = await make_client(Scope.WEBHOOKS_MANAGE)
    response = await client.post(
        "/v1/webhook-subscriptions", json={"url": "https://example.org/hook"}
    )
    assert response.status_code == 201, response.text


async def test_the_address_connected_to_is_checked_again(settings):
    """DNS rebinding: public at subscription time, private when the relay connects."""
    answers = {"rebinding.example": [PUBLIC]}
    policy = WebhookPolicy(allow_loopback=False, resolver=fake_resolver(answers))
    client = webhook_client(settings, policy)
    answers["rebinding.example"] = ["127.0.0.1"]
    try:
        with pytest.raises(httpx.ConnectError, match="loopback"):
            await client.post("https://rebinding.example/hook", content=b"{}")
    finally:
        await client.aclose()


async def test_loopback_is_reachable_only_when_allowed(settings):
    from tests.support.receiver import receiver

    with receiver() as local:
        allowed = webhook_client(settings, WebhookPolicy(allow_loopback=True))
        refused = webhook_client(settings, WebhookPolicy(allow_loopback=False))
        try:
            assert (await allowed.post(local.url, content=b"{}")).status_code == 204
            with pytest.raises(httpx.ConnectError):
                await refused.post(local.url, content=b"{}")
        finally:
            await allowed.aclose()
            await refused.aclose()
    assert len(local.received) == 1


def test_the_table_has_at_least_twenty_hostile_urls():
    assert len(HOSTILE) >= 20
    assert dataclasses.is_dataclass(WebhookPolicy)
