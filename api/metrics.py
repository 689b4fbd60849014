"""Prometheus metrics of one app, in a registry of its own (never the process-global one).

A registry per app keeps two apps in one process (tests, workers) from clashing over
metric names and keeps their counts apart.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Latency buckets (seconds) around what a match request costs: a few ms to a few s.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ApiMetrics:
    """Request counts and latency by route template, and the size of the loaded index."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "policymatch_http_requests",
            "HTTP requests by method, route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "policymatch_http_request_duration_seconds",
            "HTTP request latency in seconds by method and route template.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.index_items = Gauge(
            "policymatch_index_items",
            "Policy items in the loaded index (0 while no index is loaded).",
            registry=self.registry,
        )
        self.index_reloads = Counter(
            "policymatch_index_reloads",
            "Times a rebuilt index was loaded and swapped in.",
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one finished request."""
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        """The registry in the Prometheus text exposition format."""
        return generate_latest(self.registry)
