"""Fixed-window rate limits in Django's default cache: shared by every worker and host when
the cache is Redis, per process with the embedded in-memory cache.

The one use on the API's request path bounds slow (Argon2) verifications, so a flood of
wrong secrets for a real key id cannot turn Argon2 into a denial of service. Only cold
verifications count: a key this process already verified never reaches here, so a
legitimate warm key keeps working through a flood aimed at it.
"""

from __future__ import annotations

import time

from django.core.cache import cache

from apikeys import conf


def hit(bucket: str, *, limit: int, window: int) -> int | None:
    """Count one event in ``bucket``; None while at most ``limit`` happened in the current
    ``window`` seconds, else the seconds until the window ends."""
    window = max(1, window)
    now = time.time()
    slot = int(now // window)
    if _increment(f"ratelimit:{bucket}:{slot}", window) > limit:
        return max(1, window - int(now % window))
    return None


def slow_verification_retry_after(lookup_id: str, client_address: str | None) -> int | None:
    """Count one slow verification for this key id and address; None if it may run,
    else the seconds until the caller may try again."""
    window = int(conf.get("APIKEYS_SLOW_VERIFY_WINDOW_SECONDS"))
    waits = [
        hit(
            f"slow-verify:key:{lookup_id}",
            limit=int(conf.get("APIKEYS_SLOW_VERIFY_LIMIT_PER_KEY")),
            window=window,
        )
    ]
    if client_address:
        waits.append(
            hit(
                f"slow-verify:addr:{client_address}",
                limit=int(conf.get("APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS")),
                window=window,
            )
        )
    return max((wait for wait in waits if wait is not None), default=None)


def _increment(bucket: str, window: int) -> int:
    # add() is a no-op when the counter exists; incr() is atomic in Redis and under
    # LocMemCache's lock. The extra second of timeout outlives the window boundary.
    cache.add(bucket, 0, timeout=window + 1)
    try:
        return int(cache.incr(bucket))
    except ValueError:
        # Expired between add() and incr(): start the window again.
        cache.set(bucket, 1, timeout=window + 1)
        return 1
