"""The fixed-window limiter itself (apikeys.ratelimit): counting, reading without
counting, giving a right verification's count back, and the in-process fallback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from apikeys import ratelimit


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    ratelimit._local.clear()
    yield
    ratelimit._local.clear()


def test_hit_allows_the_limit_then_says_how_long_to_wait(db: Any) -> None:
    waits = [ratelimit.hit("tests:hit", limit=3, window=600) for _ in range(5)]

    assert waits[:3] == [None, None, None]
    assert all(wait is not None and 1 <= wait <= 600 for wait in waits[3:])


def test_exceeded_reads_a_bucket_without_counting(db: Any) -> None:
    for _ in range(3):
        ratelimit.hit("tests:read", limit=3, window=600)

    assert ratelimit.exceeded("tests:read", limit=3, window=600) is None
    assert ratelimit.exceeded("tests:read", limit=3, window=600) is None
    ratelimit.hit("tests:read", limit=3, window=600)
    assert ratelimit.exceeded("tests:read", limit=3, window=600) is not None


def test_a_right_verification_gives_its_count_back(db: Any, settings: Any) -> None:
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_KEY = 2
    settings.APIKEYS_SLOW_VERIFY_WINDOW_SECONDS = 3600
    for _ in range(10):
        assert ratelimit.slow_verification_retry_after("AAAAAAAAAAAA", "192.0.2.1") is None
        ratelimit.verification_succeeded("AAAAAAAAAAAA", "192.0.2.1")

    assert ratelimit.slow_verification_retry_after("AAAAAAAAAAAA", "192.0.2.9") is None


def test_the_limit_is_counted_in_process_when_the_cache_is_unreachable(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    waits = [ratelimit.hit("tests:down", limit=2, window=600) for _ in range(3)]

    assert waits[:2] == [None, None] and waits[2] is not None
