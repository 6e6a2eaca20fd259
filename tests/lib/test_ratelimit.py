"""The fixed-window limiter itself (clipia_console.lib.ratelimit): counting, reading without
counting, giving a right verification's count back, and the in-process fallback."""

from __future__ import annotations

import runpy
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from apikeys import keys
from apikeys.models import ApiKey
from clipia_console import settings as clipia_settings
from clipia_console.lib import ratelimit, ratelimit_fallback
from tests.support import MakeKey, bearer


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
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = 2
    settings.APIKEYS_SLOW_VERIFY_WINDOW_SECONDS = 3600
    for _ in range(10):
        assert ratelimit.slow_verification_retry_after("192.0.2.1") is None
        ratelimit.verification_succeeded("192.0.2.1")

    assert ratelimit.slow_verification_retry_after("192.0.2.1") is None


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


def wrong_secret(raw_key: str, n: int) -> str:
    """The same key id with another secret and a valid checksum."""
    head = raw_key[: len(keys.key_prefix("live")) + keys.LOOKUP_ID_LENGTH]
    secret = f"{n:0{keys.SECRET_LENGTH}d}"
    return head + secret + keys.checksum(head + secret)


def account(api: Client, raw_key: str, address: str = "203.0.113.7") -> Any:
    return api.get("/v1/account", REMOTE_ADDR=address, **bearer(raw_key))


# Addresses: fail closed, IPv6 per /64.


def test_an_empty_remote_addr_is_still_bounded_per_address(
    api: Client, alice: Any, bob: Any, make_key: MakeKey, settings: Any
) -> None:
    """A Unix socket gives no REMOTE_ADDR: such clients share one bucket, not none."""
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = 6
    raws = [make_key(owner, "live")[1] for owner in (alice, bob, alice)]
    ApiKey.objects.update(verifier="")  # only Argon2 (re-deriving a verifier) is limited

    statuses = [
        account(api, wrong_secret(raws[n % 3], n), address="").status_code for n in range(9)
    ]

    assert statuses == [401] * 6 + [429] * 3


def test_addresses_in_one_ipv6_64_share_a_bucket(
    api: Client, alice: Any, bob: Any, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = 6
    raws = [make_key(owner, "live")[1] for owner in (alice, bob, alice)]
    ApiKey.objects.update(verifier="")  # only Argon2 (re-deriving a verifier) is limited

    statuses = [
        account(api, wrong_secret(raws[n % 3], n), address=f"2001:db8:1:2::{n + 1:x}").status_code
        for n in range(9)
    ]
    next_64 = account(api, wrong_secret(raws[0], 50), address="2001:db8:1:3::1")

    assert statuses == [401] * 6 + [429] * 3
    assert next_64.status_code == 401


def test_an_address_with_a_port_is_counted_as_the_address(
    api: Client, live_key: Any, settings: Any
) -> None:
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = 3
    _, raw = live_key
    ApiKey.objects.update(verifier="")  # only Argon2 (re-deriving a verifier) is limited

    statuses = [
        account(api, wrong_secret(raw, n), address=f"203.0.113.7:{40000 + n}").status_code
        for n in range(5)
    ]

    assert statuses == [401] * 3 + [429] * 2


# A hung Redis: one timeout, then the limiter leaves it alone for a while.


class HungRedis:
    """A TCP server on 127.0.0.1 that takes connections and never answers. The kernel
    completes each connection into the listen backlog; connection_attempts() drains it."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._server.setblocking(False)
        self._accepted: list[socket.socket] = []
        self.url = f"redis://127.0.0.1:{self._server.getsockname()[1]}/0"

    def connection_attempts(self) -> int:
        while True:
            try:
                connection, _ = self._server.accept()
            except BlockingIOError:
                return len(self._accepted)
            self._accepted.append(connection)

    def close(self) -> None:
        for connection in self._accepted:
            connection.close()
        self._server.close()


@pytest.fixture
def hung_redis(settings: Any) -> Iterator[HungRedis]:
    server = HungRedis()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    yield server
    server.close()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1_000.0]
    monkeypatch.setattr(ratelimit_fallback, "_monotonic", lambda: now[0])
    return now


def test_after_a_redis_timeout_the_limiter_stops_calling_redis_and_counts_in_process(
    hung_redis: HungRedis, clock: list[float], settings: Any
) -> None:
    settings.APIKEYS_RATELIMIT_CACHE_RETRY_SECONDS = 30

    first = ratelimit.hit("hung", limit=3, window=60)
    assert hung_redis.connection_attempts() == 1
    clock[0] += 29
    later = [ratelimit.hit("hung", limit=3, window=60) for _ in range(3)]
    ratelimit.exceeded("hung", limit=3, window=60)
    ratelimit.slow_verification_retry_after("203.0.113.7")
    ratelimit.verification_succeeded("203.0.113.7")
    ratelimit.give_back("hung", window=60)

    assert hung_redis.connection_attempts() == 1
    assert first is None
    assert later[:2] == [None, None]
    assert later[2] is not None  # the limit held, counted in this process


def test_after_the_retry_period_the_limiter_tries_redis_again(
    hung_redis: HungRedis, clock: list[float], settings: Any
) -> None:
    settings.APIKEYS_RATELIMIT_CACHE_RETRY_SECONDS = 30
    ratelimit.hit("hung", limit=3, window=60)
    clock[0] += 31

    ratelimit.hit("hung", limit=3, window=60)
    ratelimit.hit("hung", limit=3, window=60)

    assert hung_redis.connection_attempts() == 2  # one more try, then left alone again


def test_a_sign_in_against_a_hung_redis_costs_one_connection_attempt(
    hung_redis: HungRedis, clock: list[float], alice: Any
) -> None:
    response = Client().post("/accounts/login/", {"username": "alice", "password": "wrong"})
    Client().post("/accounts/login/", {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert hung_redis.connection_attempts() == 1


def test_the_production_cache_gives_up_on_a_silent_redis_within_a_fraction_of_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The timeout the breaker pays once per period: it must stay short."""
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")

    production = runpy.run_path(str(Path(clipia_settings.__file__)))

    options = production["CACHES"]["default"]["OPTIONS"]
    assert options["socket_connect_timeout"] <= 0.5
    assert options["socket_timeout"] <= 0.5
