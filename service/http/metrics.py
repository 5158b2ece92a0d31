"""Prometheus metrics of one app instance (its own registry, so tests can build many apps)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Request counts and latencies by route template, and the build's identity."""

    def __init__(self, *, version: str) -> None:
        self.registry = CollectorRegistry()
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.requests = Counter(
            "linkage_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "linkage_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "linkage_http_requests_in_flight",
            "Requests being answered now.",
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "linkage_rate_limited",
            "Requests refused with 429, by the policy they were over.",
            ("policy",),
            registry=self.registry,
        )
        self.rate_limit_storage_errors = Counter(
            "linkage_rate_limit_storage_errors",
            "Times the shared rate limit store (Redis) failed and limits were counted in process.",
            registry=self.registry,
        )
        Gauge(
            "linkage_build_info",
            "Version of the running service.",
            ("version",),
            registry=self.registry,
        ).labels(version).set(1)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one answered request."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:  # bounded: methods, route templates and statuses are few
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
