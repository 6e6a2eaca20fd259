"""Wrong secrets never cost a key's owner anything: each is refused with one HMAC and a
401, whatever the key id, on every worker, cold or warm, with or without Redis. Argon2id,
and the rate limit that guards it, is met only by a key whose verifier must be re-derived
(stored before verifiers existed, or under a retired pepper)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from apikeys import hashing, keys
from apikeys.models import ApiKey
from clipia_console.lib import ratelimit
from tests.support import MakeKey, bearer
from tests.system.servers import gunicorn, subprocess_database_url

PER_ADDRESS = 10


def wrong_secret(raw_key: str, n: int) -> str:
    """The same key id with another secret and a valid checksum: passes the format check,
    finds the row, fails only on the secret."""
    head = raw_key[: len(keys.key_prefix("live")) + keys.LOOKUP_ID_LENGTH]
    secret = f"{n:0{keys.SECRET_LENGTH}d}"
    assert secret != raw_key[len(head) : len(head) + keys.SECRET_LENGTH]
    return head + secret + keys.checksum(head + secret)


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> Iterator[None]:
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


def test_a_flood_of_wrong_secrets_never_locks_the_owner_out(
    api: Client, live_key: Any, argon2_calls: list[str]
) -> None:
    _, raw = live_key

    flood = [account(api, wrong_secret(raw, n)).status_code for n in range(PER_ADDRESS * 3)]
    # The owner, from an address never seen before, on a worker that never served it.
    owner = account(api, raw, address="198.51.100.77")

    assert flood == [401] * len(flood)
    assert owner.status_code == 200
    assert argon2_calls == []


def test_the_owner_keeps_working_from_the_flooding_address_too(api: Client, live_key: Any) -> None:
    """A shared NAT: the attacker and the owner behind one address."""
    _, raw = live_key
    for n in range(PER_ADDRESS * 2):
        account(api, wrong_secret(raw, n))

    assert account(api, raw).status_code == 200


def test_a_flood_against_unknown_ids_answers_exactly_like_one_against_a_real_id(
    api: Client, live_key: Any
) -> None:
    _, raw = live_key
    head = keys.key_prefix("live") + "Z" * keys.LOOKUP_ID_LENGTH
    unknown = [head + f"{n:032d}" + keys.checksum(head + f"{n:032d}") for n in range(5)]

    unknown_answers = [account(api, key) for key in unknown]
    real_answers = [account(api, wrong_secret(raw, n)) for n in range(5)]

    assert {r.status_code for r in unknown_answers + real_answers} == {401}
    assert {r.content for r in unknown_answers} == {r.content for r in real_answers}


# The Argon2id path: keys whose verifier must be re-derived.


@pytest.fixture
def key_without_verifier(live_key: Any) -> tuple[ApiKey, str]:
    row, raw = live_key
    ApiKey.objects.filter(pk=row.pk).update(verifier="")
    return row, raw


def test_argon2_for_a_key_without_verifier_is_bounded_per_address(
    api: Client, key_without_verifier: Any, argon2_calls: list[str]
) -> None:
    _, raw = key_without_verifier

    statuses = [account(api, wrong_secret(raw, n)).status_code for n in range(PER_ADDRESS + 5)]
    refused = account(api, wrong_secret(raw, 99))

    assert statuses == [401] * PER_ADDRESS + [429] * 5
    assert len(argon2_calls) == PER_ADDRESS
    assert refused.json()["error"]["code"] == "rate_limited"
    assert refused.json()["error"]["message"].endswith("seconds.")
    assert 1 <= int(refused["Retry-After"]) <= 3600


def test_wrong_secrets_for_a_key_without_verifier_never_refuse_its_owner(
    api: Client, key_without_verifier: Any, argon2_calls: list[str]
) -> None:
    """Issue 18: eleven forged requests got the owner of a key without a current verifier
    (stored before verifiers, or after SECRET_KEY was rotated without a fallback) 429 on
    every worker: the Argon2id path was limited per key id."""
    _, raw = key_without_verifier
    forged = [
        account(api, wrong_secret(raw, n), address=f"198.51.100.{n}").status_code
        for n in range(1, 3 * PER_ADDRESS)
    ]

    owner = account(api, raw, address="192.0.2.44")

    assert set(forged) == {401}
    assert owner.status_code == 200


def test_a_report_full_of_forged_candidates_never_refuses_the_owner_nor_skips_a_real_one(
    api: Client, key_without_verifier: Any, live_key: Any
) -> None:
    row, raw = key_without_verifier
    candidates = [wrong_secret(raw, n) for n in range(PER_ADDRESS + 11)]
    reported = api.post(
        "/v1/keys/revoke", {"keys": [*candidates, raw]}, content_type="application/json"
    )

    assert reported.status_code == 202
    row.refresh_from_db()
    assert row.revoked_at is not None  # the real one, after more forgeries than the bucket


def test_once_its_owner_used_it_a_key_leaves_the_argon2_path_for_good(
    api: Client, key_without_verifier: Any, argon2_calls: list[str]
) -> None:
    _, raw = key_without_verifier
    assert account(api, raw).status_code == 200

    flood = [account(api, wrong_secret(raw, n)).status_code for n in range(PER_ADDRESS * 2)]

    assert flood == [401] * len(flood)
    assert len(argon2_calls) == 1
    assert account(api, raw, address="192.0.2.1").status_code == 200


def test_the_argon2_limit_holds_in_process_when_redis_is_unreachable(
    api: Client, key_without_verifier: Any, settings: Any
) -> None:
    _, raw = key_without_verifier
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    flood = [account(api, wrong_secret(raw, n)).status_code for n in range(PER_ADDRESS + 3)]

    assert flood == [401] * PER_ADDRESS + [429] * 3


def test_the_per_address_argon2_limit_spans_key_ids(
    api: Client, alice: Any, bob: Any, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = 6
    made = [make_key(owner, "live") for owner in (alice, bob, alice)]
    ApiKey.objects.update(verifier="")
    raws = [raw for _, raw in made]

    statuses = [account(api, wrong_secret(raws[n % 3], n)).status_code for n in range(9)]
    elsewhere = account(api, wrong_secret(raws[0], 50), address="192.0.2.200")

    assert statuses == [401] * 6 + [429] * 3
    assert elsewhere.status_code == 401


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_under_gunicorn_a_flood_never_gets_the_owner_a_429_on_any_worker(
    alice: Any, make_key: MakeKey, tmp_path: Path
) -> None:
    """Three fresh workers (none has served the key), a flood of wrong secrets against the
    key's id and against unknown ids, and the owner's requests interleaved from new
    addresses: the owner is served 200 by every worker throughout."""
    _, raw = make_key(alice, "live")
    head = keys.key_prefix("live") + "Q" * keys.LOOKUP_ID_LENGTH
    flood_statuses: list[int] = []
    owner_statuses: list[tuple[int, int]] = []
    lock = threading.Lock()

    with gunicorn(
        tmp_path,
        database_url=subprocess_database_url(),
        workers=3,
        APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS="2",
    ) as server:

        def flood(n: int) -> None:
            target = wrong_secret(raw, n) if n % 2 else head + f"{n:032d}"
            if not n % 2:
                target += keys.checksum(target)
            status = server.request(
                "GET", f"/v1/account?n={n}", headers={"Authorization": f"Bearer {target}"}
            )[0]
            with lock:
                flood_statuses.append(status)

        def owner(n: int) -> None:
            status = server.request(
                "GET", f"/v1/account?n={100_000 + n}", headers={"Authorization": f"Bearer {raw}"}
            )[0]
            with lock:
                owner_statuses.append((100_000 + n, status))

        with ThreadPoolExecutor(max_workers=6) as pool:
            for n in range(120):
                pool.submit(flood, n)
                if n % 4 == 0:
                    pool.submit(owner, n)
        served = server.served()

    assert set(flood_statuses) == {401}
    assert {status for _, status in owner_statuses} == {200}
    assert len({served[n][0] for n, _ in owner_statuses if n in served}) >= 2
