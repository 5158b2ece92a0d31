"""Per-client rate limits, announced in IETF RateLimit headers.

Every authenticated request counts against its client's `default` policy; searches by
identifier, contact reads, candidate searches and allocation runs count against a stricter
policy too. An unknown or revoked API key counts against its client address. Windows are
fixed (a quota renews whole at the end of its window, so a client may spend up to two quotas
across the turn of one): the cheapest count, one counter per client and policy (bench/README
has the measurements of the others). In process on the embedded default, or in Redis
(`LINKAGE_REDIS_URL`, through the `limits` library) so that replicas share one budget.

When Redis fails or does not answer within its timeout, limits fall back to this process's own
memory for a few seconds, with a log line and a metric: a limiter that failed closed would turn
a cache outage into an API outage, and one that failed open would drop the search limit that
keeps masked identifiers from being guessed. Per process, each replica still holds its clients
to the budget; the fleet as a whole to at most replicas times the budget.

The headers follow draft-ietf-httpapi-ratelimit-headers (structured fields):
`RateLimit-Policy: "default";q=1200;w=60` and `RateLimit: "default";r=1187;t=60`.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import limits
from limits.aio.storage import RedisStorage, Storage
from limits.errors import StorageError
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from starlette.types import Scope

from service.http.metrics import Metrics
from service.http.problems import ProblemError
from service.settings import Settings

logger = logging.getLogger("linkage.rate_limits")

DEFAULT = "default"
IDENTIFIER_SEARCH = "identifier-search"
CONTACT = "contact"
CANDIDATES = "candidates"
ALLOCATION_RUNS = "allocation-runs"
UNKNOWN_KEYS = "unknown-keys"
REDIS_RETRY_SECONDS = 5.0
SWEEP_SECONDS = 60.0


def stricter_policy(method: str, route_path: str) -> str | None:
    """The policy a route counts against besides `default`, by what the route does."""
    if method == "POST" and route_path.endswith("/search"):
        return IDENTIFIER_SEARCH  # POST …/search finds a person by resident ID number
    if route_path.endswith("/contact"):
        return CONTACT
    if route_path.endswith("/candidates"):
        return CANDIDATES
    if method == "POST" and route_path == "/v1/allocation-runs":
        return ALLOCATION_RUNS
    return None


@dataclass(frozen=True, slots=True)
class Policy:
    """A named quota over a window."""

    name: str
    item: limits.RateLimitItem

    @property
    def quota(self) -> int:
        """Requests allowed per window."""
        return int(self.item.amount)

    @property
    def window(self) -> int:
        """The window, in seconds."""
        return int(self.item.get_expiry())


@dataclass(frozen=True, slots=True)
class Usage:
    """Where one policy stands after a request."""

    policy: Policy
    remaining: int
    reset: int  # seconds until a unit of quota is free again
    exceeded: bool


@dataclass(slots=True)
class Verdict:
    """What the limiter decided for one request (kept in its scope, read by the middleware)."""

    usages: list[Usage] = field(default_factory=list)

    @property
    def exceeded(self) -> list[Usage]:
        """The policies this request was over."""
        return [usage for usage in self.usages if usage.exceeded]

    def headers(self) -> list[tuple[bytes, bytes]]:
        """RateLimit-Policy and RateLimit, one item per policy the request counted against."""
        policies = ", ".join(
            f'"{u.policy.name}";q={u.policy.quota};w={u.policy.window}' for u in self.usages
        )
        states = ", ".join(f'"{u.policy.name}";r={u.remaining};t={u.reset}' for u in self.usages)
        return [(b"ratelimit-policy", policies.encode()), (b"ratelimit", states.encode())]

    def problem(self) -> ProblemError:
        """The 429 for a request over one or more policies."""
        over = self.exceeded
        retry_after = max(usage.reset for usage in over)
        names = ", ".join(
            f"{u.policy.name} ({u.policy.quota} per {u.policy.window} s)" for u in over
        )
        return ProblemError(
            429,
            "rate_limited",
            f"too many requests under {names}; retry in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
            extra={"violated_policies": [usage.policy.name for usage in over]},
        )


def verdict_of(scope: Scope) -> Verdict | None:
    """The verdict already reached for this request, if any."""
    verdict: Verdict | None = scope.get("state", {}).get("rate_limit")
    return verdict


class RateLimiter:
    """Counts requests against policies in a shared store, or in memory when it fails."""

    def __init__(
        self,
        policies: dict[str, str],
        *,
        metrics: Metrics,
        storage: Storage | None = None,
        retry_seconds: float = REDIS_RETRY_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policies = {name: Policy(name, limits.parse(rate)) for name, rate in policies.items()}
        self.metrics = metrics
        self.retry_seconds = retry_seconds
        self.monotonic = monotonic
        self._memory_store = MemoryWindows()
        self._shared = storage
        self._shared_down_until = 0.0
        self._next_sweep = 0.0

    @classmethod
    def from_settings(cls, settings: Settings, metrics: Metrics) -> RateLimiter:
        """The configured policies, counted in Redis when LINKAGE_REDIS_URL is set."""
        storage = None
        if settings.redis_url is not None:
            storage = redis_storage(settings.redis_url.get_secret_value(), settings)
        return cls(
            {
                DEFAULT: settings.rate_limit_default,
                IDENTIFIER_SEARCH: settings.rate_limit_identifier_search,
                CONTACT: settings.rate_limit_contact,
                CANDIDATES: settings.rate_limit_candidates,
                ALLOCATION_RUNS: settings.rate_limit_allocation_runs,
                UNKNOWN_KEYS: settings.rate_limit_unknown_keys,
            },
            metrics=metrics,
            storage=storage,
        )

    async def close(self) -> None:
        """Close the connections to the shared store, if there is one."""
        if isinstance(self._shared, RedisStorage):
            client = getattr(self._shared.bridge, "storage", None)  # redis-py's client
            if client is not None:
                await client.aclose()

    async def admit(self, scope: Scope, *, client_id: str, permitted: bool = True) -> None:
        """Count an authenticated request; a ProblemError (429) when it is over a policy. A
        request its scopes do not permit counts against the default policy only: it will be
        refused (403) and has used none of what the stricter policy guards."""
        route = scope.get("route")
        stricter = stricter_policy(scope["method"], getattr(route, "path", ""))
        names = [DEFAULT] if stricter is None or not permitted else [stricter, DEFAULT]
        await self._decide(scope, names, f"client:{client_id}")

    async def charge(self, scope: Scope, policy: str, *, client_id: str) -> None:
        """Count an admitted request against one more policy (429 past it): for what the
        request turned out to do, e.g. a write that sets a resident ID number."""
        verdict = verdict_of(scope)
        if verdict is None:
            verdict = Verdict()
            scope.setdefault("state", {})["rate_limit"] = verdict
        if any(usage.policy.name == policy for usage in verdict.usages):
            return
        verdict.usages.insert(0, await self._count(self.policies[policy], f"client:{client_id}"))
        if verdict.exceeded:
            raise verdict.problem()

    async def admit_unknown_key(self, scope: Scope) -> None:
        """Count an unknown or revoked key against the client address; 429 past the policy."""
        client = scope.get("client")
        await self._decide(scope, [UNKNOWN_KEYS], f"address:{client[0] if client else '?'}")

    async def _decide(self, scope: Scope, names: list[str], identity: str) -> None:
        verdict = verdict_of(scope)
        if verdict is None:  # once per request, however many checks authenticate it
            verdict = Verdict()
            for name in names:
                verdict.usages.append(await self._count(self.policies[name], identity))
            scope.setdefault("state", {})["rate_limit"] = verdict
        if verdict.exceeded:
            raise verdict.problem()

    async def _count(self, policy: Policy, identity: str) -> Usage:
        if self._shared is not None and self.monotonic() >= self._shared_down_until:
            try:
                return await self._count_in(self._shared, policy, identity)
            except (StorageError, OSError, TimeoutError) as exc:
                self._shared_down_until = self.monotonic() + self.retry_seconds
                self.metrics.rate_limit_storage_errors.inc()
                logger.warning(
                    "rate limit store unavailable: counting in this process for a while",
                    extra={"error": f"{type(exc).__name__}: {exc}", "seconds": self.retry_seconds},
                )
        now = time.time()
        if self.monotonic() >= self._next_sweep:  # addresses that sent one bad key go
            self._next_sweep = self.monotonic() + SWEEP_SECONDS
            self._memory_store.forget_ended(now)
        key = policy.item.key_for(policy.name, identity)
        count, reset_at = self._memory_store.hit(key, policy.item.get_expiry(), now)
        return self._usage(policy, count, reset_at, now)

    async def _count_in(self, storage: Storage, policy: Policy, identity: str) -> Usage:
        """One fixed window's count in the shared store: what limits' FixedWindowRateLimiter
        hit and get_window_stats do, in two store operations instead of three (one round trip
        fewer to Redis on every request)."""
        item = policy.item
        key = item.key_for(policy.name, identity)
        count = await storage.incr(key, item.get_expiry())
        reset_at = await storage.get_expiry(key)
        return self._usage(policy, count, reset_at, time.time())

    def _usage(self, policy: Policy, count: int, reset_at: float, now: float) -> Usage:
        admitted = count <= policy.item.amount
        if not admitted:
            self.metrics.rate_limited.labels(policy.name).inc()
        return Usage(
            policy,
            remaining=max(0, policy.item.amount - count),
            reset=max(1, math.ceil(reset_at - now)),
            exceeded=not admitted,
        )


class MemoryWindows:
    """Fixed windows in this process: per key, a count and the time its window ends. What
    limits' MemoryStorage keeps, without its locks and timers (one event loop needs neither):
    the in-process limiter costs a tenth of it per request (bench/)."""

    def __init__(self) -> None:
        self.windows: dict[str, list[float]] = {}

    def hit(self, key: str, seconds: float, now: float) -> tuple[int, float]:
        """Count one in `key`'s window (a new one if it has ended): the count and its end."""
        window = self.windows.get(key)
        if window is None or window[1] <= now:
            window = self.windows[key] = [0, now + seconds]
        window[0] += 1
        return int(window[0]), window[1]

    def forget_ended(self, now: float) -> None:
        """Drop the windows that have ended (their keys would otherwise stay for ever)."""
        for key in [key for key, (_, ends) in self.windows.items() if ends <= now]:
            del self.windows[key]


def redis_storage(url: str, settings: Settings) -> RedisStorage:
    """limits' Redis store on redis-py, failing fast: short timeouts, no retries of its own."""
    options: dict[str, Any] = {
        "key_prefix": settings.redis_key_prefix,
        "socket_timeout": settings.redis_timeout_seconds,
        "socket_connect_timeout": settings.redis_timeout_seconds,
        "retry": Retry(NoBackoff(), 0),
    }
    return RedisStorage("async+" + url, implementation="redispy", wrap_exceptions=True, **options)
