"""Per-key token buckets held in memory: `per_minute` requests a minute, bursts up to `per_minute`."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# Past this many buckets (keys and client addresses), idle ones are forgotten.
MAX_BUCKETS = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by API key id or client address."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def _refill(self, key: str, limit: int, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_BUCKETS:
                self._forget_idle(now)
            bucket = self._buckets[key] = _Bucket(float(limit), now)
        bucket.tokens = min(float(limit), bucket.tokens + (now - bucket.updated) * limit / 60.0)
        bucket.updated = now
        return bucket

    def _forget_idle(self, now: float) -> None:
        """Drop buckets untouched for a minute: they have refilled, so a new one is the same."""
        for key in [k for k, b in self._buckets.items() if now - b.updated >= 60.0]:
            del self._buckets[key]

    def acquire(self, key: str, per_minute: int | None = None) -> float:
        """Take one token for `key`; returns 0 when allowed, else seconds until a token is available."""
        limit = self.per_minute if per_minute is None else per_minute
        if limit <= 0:
            return 0.0
        with self._lock:
            bucket = self._refill(key, limit, self.clock())
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / (limit / 60.0)

    def wait(self, key: str) -> float:
        """Seconds until `key` has a token again (0 when it has one now), taking none."""
        if self.per_minute <= 0:
            return 0.0
        with self._lock:
            bucket = self._refill(key, self.per_minute, self.clock())
            return 0.0 if bucket.tokens >= 1.0 else (1.0 - bucket.tokens) / (self.per_minute / 60.0)


def retry_after_header(wait_s: float) -> str:
    """A Retry-After value in whole seconds, at least 1."""
    return str(max(1, math.ceil(wait_s)))
