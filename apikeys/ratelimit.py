"""Bounds on slow (Argon2) verifications, so a flood of wrong secrets for a real key id
cannot turn Argon2 into a denial of service.

Fixed-window counters in Django's default cache: shared by every worker and host when the
cache is Redis, per process with the embedded in-memory cache. Only cold verifications
count; a key this process already verified never reaches here, so a legitimate warm key
keeps working through a flood aimed at it.
"""

from __future__ import annotations

import time

from django.core.cache import cache

from apikeys import conf


def slow_verification_retry_after(lookup_id: str, client_address: str | None) -> int | None:
    """Count one slow verification for this key id and address; None if it may run,
    else the seconds until the caller may try again."""
    window = max(1, int(conf.get("APIKEYS_SLOW_VERIFY_WINDOW_SECONDS")))
    now = time.time()
    slot = int(now // window)
    retry_after = window - int(now % window)
    buckets = [
        (f"apikeys:slow:key:{lookup_id}:{slot}", conf.get("APIKEYS_SLOW_VERIFY_LIMIT_PER_KEY"))
    ]
    if client_address:
        buckets.append(
            (
                f"apikeys:slow:addr:{client_address}:{slot}",
                conf.get("APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS"),
            )
        )
    refused = False
    for bucket, limit in buckets:
        if _increment(bucket, window) > int(limit):
            refused = True
    return retry_after if refused else None


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
