"""Wrong-secret floods cannot turn Argon2 into a denial of service: attempts are bounded
per key id and per client address, past that 429 rate_limited with Retry-After, and a
legitimate key this process already verified keeps working throughout."""

from __future__ import annotations

import runpy
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from apikeys import hashing, keys, ratelimit
from clipia_console import settings as clipia_settings
from tests.conftest import MakeKey, bearer

PER_KEY = 10
PER_ADDRESS = 30


def wrong_secret(raw_key: str, n: int) -> str:
    """The same key id with another secret and a valid checksum: passes the format check,
    finds the row, fails only on the secret."""
    head = raw_key[: len(keys.key_prefix("live")) + keys.LOOKUP_ID_LENGTH]
    secret = f"{n:0{keys.SECRET_LENGTH}d}"
    assert secret != raw_key[len(head) : len(head) + keys.SECRET_LENGTH]
    return head + secret + keys.checksum(head + secret)


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> Iterator[None]:
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_KEY = PER_KEY
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = PER_ADDRESS
    # An hour-long window, so that no flood in these tests straddles two windows.
    settings.APIKEYS_SLOW_VERIFY_WINDOW_SECONDS = 3600
    ratelimit._local.clear()
    yield
    ratelimit._local.clear()


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = hashing.verify_slow

    def counting(stored_hash: str, raw_key: str) -> bool:
        calls.append(stored_hash)
        return real(stored_hash, raw_key)

    monkeypatch.setattr(hashing, "verify_slow", counting)
    return calls


def account(api: Client, raw_key: str, address: str = "203.0.113.7") -> Any:
    return api.get("/v1/account", REMOTE_ADDR=address, **bearer(raw_key))


def test_a_flood_of_wrong_secrets_gets_429_with_retry_after_past_the_limit(
    api: Client, live_key: Any
) -> None:
    _, raw = live_key
    hashing.forget_all()  # a worker that never saw this key

    statuses = [account(api, wrong_secret(raw, n)).status_code for n in range(PER_KEY + 5)]
    refused = account(api, wrong_secret(raw, 99))

    assert statuses == [401] * PER_KEY + [429] * 5
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 3600


def test_a_flood_costs_at_most_the_limit_in_argon2_verifications(
    api: Client, live_key: Any, argon2_calls: list[str]
) -> None:
    _, raw = live_key
    hashing.forget_all()

    for n in range(PER_KEY * 5):
        account(api, wrong_secret(raw, n))

    assert len(argon2_calls) == PER_KEY


def test_a_key_already_verified_keeps_working_throughout_the_flood(
    api: Client, funded: Any, live_key: Any, argon2_calls: list[str]
) -> None:
    _, raw = live_key
    assert account(api, raw).status_code == 200

    flood, legitimate = [], []
    for n in range(PER_KEY * 3):
        flood.append(account(api, wrong_secret(raw, n)).status_code)
        legitimate.append(account(api, raw).status_code)

    assert legitimate == [200] * len(legitimate)
    assert flood == [401] * PER_KEY + [429] * (PER_KEY * 2)
    assert argon2_calls == []  # the warm key refuses other secrets without Argon2


def test_the_legitimate_key_is_served_from_another_address_too(api: Client, live_key: Any) -> None:
    _, raw = live_key
    account(api, raw, address="198.51.100.1")
    for n in range(PER_KEY + 1):
        account(api, wrong_secret(raw, n))

    response = account(api, raw, address="198.51.100.1")

    assert response.status_code == 200
    assert response.json()["key"]["prefix"] == live_key[0].display_prefix


def test_the_per_address_limit_spans_key_ids(
    api: Client, alice: Any, bob: Any, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_KEY = 100
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = 6
    raws = [make_key(owner, "live")[1] for owner in (alice, bob, alice)]

    statuses = [account(api, wrong_secret(raws[n % 3], n)).status_code for n in range(9)]
    elsewhere = account(api, wrong_secret(raws[0], 50), address="192.0.2.200")

    assert statuses == [401] * 6 + [429] * 3
    assert elsewhere.status_code == 401


def test_keys_with_a_valid_checksum_but_unknown_id_never_reach_argon2(
    api: Client, live_key: Any, argon2_calls: list[str]
) -> None:
    _, raw = live_key
    head = keys.key_prefix("live") + "Z" * keys.LOOKUP_ID_LENGTH
    unknown = [head + f"{n:032d}" + keys.checksum(head + f"{n:032d}") for n in range(5)]

    statuses = [account(api, key).status_code for key in unknown]

    assert statuses == [401] * 5
    assert argon2_calls == []


def test_the_limit_holds_in_process_when_redis_is_unreachable(
    api: Client, live_key: Any, settings: Any
) -> None:
    _, raw = live_key
    account(api, raw)  # verified while Redis was fine
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    flood = [account(api, wrong_secret(raw, n)).status_code for n in range(PER_KEY + 3)]
    legitimate = account(api, raw)

    assert flood == [401] * PER_KEY + [429] * 3
    assert legitimate.status_code == 200


def test_a_correct_key_verified_cold_by_many_workers_is_never_refused(live_key: Any) -> None:
    """After a deploy every worker verifies a busy key once, with Argon2; more workers than
    the limit must not lock the key out, since only wrong secrets count."""
    _, raw = live_key
    client = Client()
    statuses = []
    for _ in range(PER_KEY * 3):
        hashing.forget_all()  # the next worker, which has never seen the key
        statuses.append(account(client, raw).status_code)

    assert statuses == [200] * (PER_KEY * 3)


def test_a_flood_under_way_refuses_the_correct_key_only_where_it_is_cold(
    api: Client, live_key: Any
) -> None:
    _, raw = live_key
    for n in range(PER_KEY):
        account(api, wrong_secret(raw, n))

    hashing.forget_all()
    cold = account(api, raw)

    assert cold.status_code == 429  # Argon2 cannot tell it from the flood before running
    assert cold.json()["error"]["code"] == "rate_limited"


def test_the_owner_keeps_working_on_a_cold_worker_during_a_flood_from_elsewhere(
    api: Client, funded: Any, live_key: Any, argon2_calls: list[str]
) -> None:
    _, raw = live_key
    owner, attacker = "198.51.100.1", "192.0.2.66"
    hashing.forget_all()  # the owner's first request is a cold verification somewhere
    assert account(api, raw, address=owner).status_code == 200
    for n in range(PER_KEY + 5):
        account(api, wrong_secret(raw, n), address=attacker)
    hashing.forget_all()  # the owner's next request lands on a worker that never saw the key

    owner_response = account(api, raw, address=owner)
    hashing.forget_all()  # and a newcomer's lands on yet another cold worker
    newcomer = account(api, raw, address="203.0.113.50")

    assert owner_response.status_code == 200
    assert newcomer.status_code == 429  # unproven addresses wait, even with the right key
    assert account(api, wrong_secret(raw, 98), address=attacker).status_code == 429


def test_a_proven_address_is_still_bounded_by_its_own_limit(
    api: Client, funded: Any, live_key: Any, argon2_calls: list[str], settings: Any
) -> None:
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = 12
    _, raw = live_key
    owner = "198.51.100.1"
    hashing.forget_all()
    assert account(api, raw, address=owner).status_code == 200
    for n in range(PER_KEY):
        account(api, wrong_secret(raw, n), address="192.0.2.66")
    hashing.forget_all()
    calls_before = len(argon2_calls)

    # Someone behind the owner's address (a shared NAT) floods too.
    statuses = [
        account(api, wrong_secret(raw, 100 + n), address=owner).status_code for n in range(20)
    ]

    assert statuses == [401] * 12 + [429] * 8
    assert len(argon2_calls) - calls_before == 12


# Addresses: fail closed, IPv6 per /64.


def test_an_empty_remote_addr_is_still_bounded_per_address(
    api: Client, alice: Any, bob: Any, make_key: MakeKey, settings: Any
) -> None:
    """A Unix socket gives no REMOTE_ADDR: such clients share one bucket, not none."""
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_KEY = 100
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = 6
    raws = [make_key(owner, "live")[1] for owner in (alice, bob, alice)]

    statuses = [
        account(api, wrong_secret(raws[n % 3], n), address="").status_code for n in range(9)
    ]

    assert statuses == [401] * 6 + [429] * 3


def test_addresses_in_one_ipv6_64_share_a_bucket(
    api: Client, alice: Any, bob: Any, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_KEY = 100
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = 6
    raws = [make_key(owner, "live")[1] for owner in (alice, bob, alice)]

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
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_KEY = 100
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = 3
    _, raw = live_key

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
    monkeypatch.setattr(ratelimit, "_monotonic", lambda: now[0])
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
    ratelimit.slow_verification_retry_after("AbCdEfGhIjKl", "203.0.113.7")
    ratelimit.verification_succeeded("AbCdEfGhIjKl", "203.0.113.7")
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
