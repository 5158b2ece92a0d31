"""How webhooks are checked and retried, and how receivers' hosts are resolved."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from service.domain.webhooks import RetryPolicy, address_problem

Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the host resolves to (A and AAAA), within 5 seconds."""
    try:
        async with asyncio.timeout(5):
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
    except TimeoutError as exc:
        raise OSError(f"resolving {host} timed out") from exc
    return sorted({str(info[4][0]) for info in infos})


@dataclass(frozen=True, slots=True)
class WebhookPolicy:
    """How webhooks are checked and retried (from the settings)."""

    allow_loopback: bool = False
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    secret_grace: timedelta = timedelta(hours=24)
    resolver: Resolver = system_resolver


class UnsafeAddress(Exception):
    """A receiver's host resolves to an address we may not call."""


async def safe_addresses(policy: WebhookPolicy, host: str, port: int) -> list[str]:
    """The host's addresses, all of them public (or loopback when allowed); UnsafeAddress if
    any is not or it does not resolve."""
    try:
        addresses = await policy.resolver(host, port)
    except OSError as exc:
        raise UnsafeAddress(f"{host} does not resolve") from exc
    if not addresses:
        raise UnsafeAddress(f"{host} does not resolve")
    for address in addresses:
        problem = address_problem(address, allow_loopback=policy.allow_loopback)
        if problem is not None:
            raise UnsafeAddress(f"{host} resolves to {address}: {problem}")
    return addresses
