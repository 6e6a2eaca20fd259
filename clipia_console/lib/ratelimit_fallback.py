"""What the rate limits (clipia_console.lib.ratelimit) fall back on when the shared cache
cannot be reached: a breaker that keeps this process away from a failing cache for
APIKEYS_RATELIMIT_CACHE_RETRY_SECONDS, and fixed-window counters in this process meanwhile,
so the limits hold per worker and requests never fail over them.
"""

from __future__ import annotations

import logging
import threading
import time

from clipia_console.lib.conf import conf

logger = logging.getLogger(__name__)


def _monotonic() -> float:
    """The clock of both fallbacks; tests move it instead of sleeping."""
    return time.monotonic()


class CacheBreaker:
    """Whether this process leaves the shared cache alone for now. Tripped by any cache
    error: a refused connection costs little, but a hung Redis costs a socket timeout per
    call, several calls per request. Per process, unlocked: a race only costs one more
    try of the cache."""

    def __init__(self) -> None:
        self._open_until = 0.0

    def is_open(self) -> bool:
        return _monotonic() < self._open_until

    def trip(self, exc: Exception) -> None:
        seconds = conf.APIKEYS_RATELIMIT_CACHE_RETRY_SECONDS
        self._open_until = _monotonic() + seconds
        logger.warning(
            "rate limit cache unavailable (%s); counting in process for %g s",
            type(exc).__name__,
            seconds,
        )

    def close(self) -> None:
        self._open_until = 0.0


class LocalCounters:
    """Fixed-window counters in this process, for when the shared cache is unreachable.
    Buckets carry their window's slot in their name, so old ones are dropped wholesale."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def increment(self, bucket: str, window: int) -> int:
        now = _monotonic()
        with self._lock:
            if len(self._counts) > 10_000:
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
            expires_at, count = self._counts.get(bucket, (now + window + 1, 0))
            if expires_at <= now:
                expires_at, count = now + window + 1, 0
            self._counts[bucket] = (expires_at, count + 1)
            return count + 1

    def count(self, bucket: str) -> int:
        with self._lock:
            expires_at, count = self._counts.get(bucket, (0.0, 0))
            return count if expires_at > _monotonic() else 0

    def decrement(self, bucket: str) -> None:
        with self._lock:
            expires_at, count = self._counts.get(bucket, (0.0, 0))
            if count > 0 and expires_at > _monotonic():
                self._counts[bucket] = (expires_at, count - 1)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
