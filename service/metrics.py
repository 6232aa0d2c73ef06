"""Prometheus metrics, one registry per app; request metrics come from `MetricsMiddleware`."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


class Metrics:
    """Every metric the service exports; the job store and worker update the job and example ones."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "xstilts_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "xstilts_http_request_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.batch_segments = Histogram(
            "xstilts_microbatch_segments",
            "Texts sent to the backend in one micro-batch.",
            ["backend", "op"],
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.batch_requests = Histogram(
            "xstilts_microbatch_requests",
            "Requests merged into one micro-batch.",
            ["backend", "op"],
            buckets=BATCH_BUCKETS,
            registry=r,
        )
        self.backend_seconds = Histogram(
            "xstilts_backend_call_seconds",
            "Duration of one backend call.",
            ["backend", "op"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.cache_lookups = Counter(
            "xstilts_cache_lookups",
            "Translation-memory lookups by result (hit or miss).",
            ["backend", "result"],
            registry=r,
        )
        self.cache_hit_ratio = Gauge(
            "xstilts_cache_hit_ratio",
            "Share of looked-up segments answered from the translation memory.",
            registry=r,
        )
        self.jobs = Gauge("xstilts_jobs", "Jobs by state.", ["state"], registry=r)
        self.examples_generated = Counter(
            "xstilts_examples_generated",
            "Examples written to shards by target language and method.",
            ["lang", "method"],
            registry=r,
        )
        self.examples_dropped = Counter(
            "xstilts_examples_dropped",
            "Examples dropped by target language and reason.",
            ["lang", "reason"],
            registry=r,
        )
        self.disk_used = Gauge(
            "xstilts_disk_used_bytes",
            "Bytes on disk by kind: uploaded datasets, job outputs, translation memory.",
            ["kind"],
            registry=r,
        )
        self.disk_free = Gauge(
            "xstilts_disk_free_bytes", "Free bytes on the data folder's file system.", registry=r
        )
        self.retention_deleted = Counter(
            "xstilts_retention_deleted",
            "Finished jobs and uploads deleted by the retention sweep, by kind.",
            ["kind"],
            registry=r,
        )
        self._hits = 0
        self._lookups = 0

    def record_batch(self, backend: str, op: str, requests: int, items: int, seconds: float) -> None:
        """Observe one micro-batch: requests merged, texts sent and seconds in the backend."""
        self.batch_requests.labels(backend, op).observe(requests)
        self.batch_segments.labels(backend, op).observe(items)
        self.backend_seconds.labels(backend, op).observe(seconds)

    def record_cache(self, backend: str, hits: int, misses: int) -> None:
        """Count translation-memory lookups and update the running hit ratio."""
        if hits:
            self.cache_lookups.labels(backend, "hit").inc(hits)
        if misses:
            self.cache_lookups.labels(backend, "miss").inc(misses)
        self._hits += hits
        self._lookups += hits + misses
        if self._lookups:
            self.cache_hit_ratio.set(self._hits / self._lookups)

    def render(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts requests and observes latency labelled by route template, never the raw path."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - start)
