"""Fixed-window rate limits in Django's default cache: shared by every worker and host when
the cache is Redis, per process with the embedded in-memory cache.

The one use on the API's request path bounds slow (Argon2) verifications per key id and
per client address, so a flood of wrong secrets for a real key id cannot turn Argon2 into
a denial of service: each attempt is counted before Argon2 runs and refused (429) past the
limit. A verification that proves the key right gives its count back, so a busy key that
many cold workers verify at once (after a deploy) never uses the limit up. The key's owner
keeps working through a flood aimed at its id: on a worker that already verified the key
no Argon2 runs, and an address that recently proved it holds the key is let past the key
id's full bucket (within its own per-address bucket) on the others.

A counter the cache cannot reach (Redis down, restarting or hung) falls back to a counter
in this process: the limit then holds per worker, and requests never fail over it. After
one cache error or timeout this process leaves the cache alone for
APIKEYS_RATELIMIT_CACHE_RETRY_SECONDS and counts in process meanwhile, so a hung Redis
costs one socket timeout per period, not one per cache call; then it tries again
(clipia_console.lib.ratelimit_fallback).

A limit with a home in settings is a named policy (lib.conf.RatePolicy, declared in a
package's ``conf.RATE_LIMITS``) counted per key with hit_named() or enforce(); enforce()
refuses with the one RateLimited exception, which each surface renders its own way.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.cache import cache
from django.http import HttpResponse

from clipia_console.lib.client_address import rate_limit_bucket
from clipia_console.lib.conf import RatePolicy, conf
from clipia_console.lib.ratelimit_fallback import CacheBreaker, LocalCounters


class RateLimited(Exception):
    """An event refused by a rate limit; the caller may try again in ``retry_after``
    seconds (for a Retry-After header)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after} s")
        self.retry_after = retry_after


def hit(bucket: str, *, limit: int, window: int) -> int | None:
    """Count one event in ``bucket``; None while at most ``limit`` happened in the current
    ``window`` seconds, else the seconds until the window ends."""
    name, wait = _slot(bucket, window)
    return wait if _increment(name, max(1, window)) > limit else None


def exceeded(bucket: str, *, limit: int, window: int) -> int | None:
    """Like hit(), without counting: the seconds until the window ends if ``bucket`` is
    already past ``limit``, else None. For refusing before doing the work that counts."""
    name, wait = _slot(bucket, window)
    return wait if _count(name) > limit else None


def give_back(bucket: str, *, window: int) -> None:
    """Take back one event that hit() counted in ``bucket`` in the current window: for
    work counted before it ran that turned out not to be what the limit is about."""
    name, _ = _slot(bucket, window)
    if not _breaker.is_open():
        try:
            cache.decr(name)
            return
        except ValueError:
            return  # the window turned meanwhile: nothing left to give back
        except Exception as exc:  # whatever error the configured cache backend raises
            _breaker.trip(exc)
    _local.decrement(name)


def current(bucket: str, *, window: int) -> tuple[int, int]:
    """What hit() counted in ``bucket``'s current ``window``, and the seconds until that
    window ends: for telling a caller how much of a limit remains."""
    name, wait = _slot(bucket, window)
    return _count(name), wait


def hit_named(policy: RatePolicy, key: str) -> int | None:
    """hit() in ``policy``'s bucket for ``key``: None while within the policy, else the
    seconds until its window ends."""
    return hit(f"{policy.name}:{key}", limit=policy.limit, window=policy.window)


def give_back_named(policy: RatePolicy, key: str) -> None:
    """give_back() of one event hit_named() counted for ``key`` under ``policy``."""
    give_back(f"{policy.name}:{key}", window=policy.window)


def enforce(policy: RatePolicy, key: str) -> None:
    """Count one event for ``key`` under ``policy``; past the limit, take it back and raise
    RateLimited."""
    enforce_all([(key, policy)])


def enforce_all(limits: Iterable[tuple[str, RatePolicy]]) -> None:
    """Count one event for every (key, policy) before deciding, concurrent events
    included; if any is past its limit, take every count back (a refused event does no
    work, so it uses up nothing) and raise RateLimited with the longest wait."""
    counted = list(limits)
    waits = [hit_named(policy, key) for key, policy in counted]
    retry_after = max((wait for wait in waits if wait is not None), default=None)
    if retry_after is not None:
        for key, policy in counted:
            give_back_named(policy, key)
        raise RateLimited(retry_after)


def slow_verification_retry_after(client_address: str | None) -> int | None:
    """Count one Argon2id verification for this client address; None if it may run, else
    the seconds until it may try again. Counted before Argon2 runs, so wrong secrets are
    bounded strictly, concurrent ones included; verification_succeeded gives a right
    one's count back. Per address only: a bucket per key id would let anyone's wrong
    secrets refuse that key's owner."""
    policy = conf.RATE_LIMITS["slow-verify:addr"]
    return hit_named(policy, rate_limit_bucket(client_address))


def verification_succeeded(client_address: str | None) -> None:
    """Give back the count of a verification that proved the key right, so that a busy key
    verified by many cold workers at once (after a deploy) never uses the limit up."""
    give_back_named(conf.RATE_LIMITS["slow-verify:addr"], rate_limit_bucket(client_address))


def forget_all() -> None:
    """Forget this process's counters and any cache outage it noticed (tests start cold)."""
    _local.clear()
    _breaker.close()


def _slot(bucket: str, window: int) -> tuple[str, int]:
    """The counter's name for the current window, and the seconds until that window ends."""
    window = max(1, window)
    now = time.time()
    return f"ratelimit:{bucket}:{int(now // window)}", max(1, window - int(now % window))


def _count(name: str) -> int:
    if not _breaker.is_open():
        try:
            return int(cache.get(name) or 0)
        except Exception as exc:  # whatever error the configured cache backend raises
            _breaker.trip(exc)
    return _local.count(name)


def _increment(bucket: str, window: int) -> int:
    if not _breaker.is_open():
        try:
            return _increment_in_cache(bucket, window)
        except Exception as exc:  # whatever error the configured cache backend raises
            _breaker.trip(exc)
    return _local.increment(bucket, window)


def _increment_in_cache(bucket: str, window: int) -> int:
    # add() is a no-op when the counter exists; incr() is atomic in Redis and under
    # LocMemCache's lock. The extra second of timeout outlives the window boundary.
    cache.add(bucket, 0, timeout=window + 1)
    try:
        return int(cache.incr(bucket))
    except ValueError:
        # Expired between add() and incr(): start the window again.
        cache.set(bucket, 1, timeout=window + 1)
        return 1


_breaker = CacheBreaker()
_local = LocalCounters()


# How a limit is told to a person: a sentence for the page and the Retry-After header.


def too_many_message(what: str, retry_after: int) -> str:
    minutes = -(-retry_after // 60)
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}" if retry_after > 60 else "a minute"
    return f"Too many {what} in a short time. Please try again in {wait}."


def with_retry_after(response: HttpResponse, retry_after: int) -> HttpResponse:
    response["Retry-After"] = str(retry_after)
    return response
