"""The /v1 authentication fast path, as behaviour (never timing; speed lives in `make bench`):
one indexed query, no Argon2 on the request path (one HMAC against the stored verifier),
garbage refused before the database, no write per request."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apikeys import hashing, key_use, keys, rolling, services
from apikeys.authentication import ApiKeyAuthentication
from apikeys.lookup import lookup
from apikeys.models import ApiKey, ApiKeyEvent
from apikeys.status import ApiKeyQuerySet
from clipia_console.lib import clock as app_clock
from tests.support import MakeKey, bearer

ACCOUNT = "/v1/account"


@pytest.fixture
def argon2_verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The stored hashes argon2's PasswordHasher.verify was called with, in order."""
    calls: list[str] = []
    real_verify = PasswordHasher.verify

    def spy(self: PasswordHasher, stored_hash: str | bytes, password: str | bytes) -> bool:
        calls.append(str(stored_hash))
        return real_verify(self, stored_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    return calls


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], datetime]:
    """Sets the request path's clock to START plus the given offset; returns that time."""

    def move_to(offset: timedelta) -> datetime:
        moment = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.get_current_timezone()) + offset
        monkeypatch.setattr(app_clock, "now", lambda: moment)
        return moment

    move_to(timedelta(0))
    return move_to


def authenticate(raw_key: str) -> tuple[Any, Any] | None:
    request = Request(APIRequestFactory().get(ACCOUNT, HTTP_AUTHORIZATION=f"Bearer {raw_key}"))
    return ApiKeyAuthentication().authenticate(request)


def apikey_queries(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "apikeys_" in query["sql"]]


def malformed(raw_key: str) -> str:
    """``raw_key`` with its last checksum character changed."""
    return raw_key[:-1] + ("A" if raw_key[-1] != "A" else "B")


# One query.


def test_it_authenticates_a_warm_key_in_exactly_one_query(
    test_key: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    row, raw = test_key
    authenticate(raw)  # first use: records last_used_at and the first-use event

    with django_assert_num_queries(1) as captured:
        user, api_key = authenticate(raw)  # type: ignore[misc]

    assert (user.pk, api_key.pk) == (row.owner_id, row.pk)
    sql = captured.captured_queries[0]["sql"]
    assert "apikeys_apikey" in sql and "auth_user" in sql
    assert row.lookup_id in sql


def test_a_warm_v1_request_reads_its_key_once_and_writes_nothing(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key
    api.get(ACCOUNT, **bearer(raw))

    with CaptureQueriesContext(connection) as captured:
        response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 200
    assert response.json()["key"]["prefix"] == row.display_prefix
    assert len(apikey_queries(captured)) == 1
    writes = ("INSERT", "UPDATE", "DELETE")
    assert not [q["sql"] for q in captured.captured_queries if q["sql"].startswith(writes)]


def test_the_one_query_loads_what_the_request_path_reads(
    alice: User, test_key: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    row, _ = test_key
    ApiKey.objects.filter(pk=row.pk).update(
        last_used_at=timezone.now(), expires_at=timezone.now() + timedelta(days=3)
    )
    expected = ApiKey.objects.select_related("owner").get(pk=row.pk)

    with django_assert_num_queries(1):
        loaded = lookup(row.lookup_id)
        assert loaded is not None
        fields = ("id", "owner_id", "lookup_id", "environment", "name", "scopes", "verifier")
        assert [getattr(loaded, name) for name in fields] == [
            getattr(expected, name) for name in fields
        ]
        assert loaded.revoked_at is None
        assert loaded.expires_at == expected.expires_at
        assert loaded.last_used_at == expected.last_used_at
        assert loaded.expires_at is not None and timezone.is_aware(loaded.expires_at)
        assert loaded.owner.pk == alice.pk
        assert loaded.owner.get_username() == "alice"
        assert loaded.owner.is_active is True


def test_fields_the_request_path_does_not_read_load_on_access(
    test_key: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    row, _ = test_key
    loaded = lookup(row.lookup_id)
    assert loaded is not None

    email = row.owner.email
    with django_assert_num_queries(1):
        assert loaded.owner.email == email


def test_an_unknown_lookup_id_loads_nothing(db: Any) -> None:
    assert lookup("000000000000") is None


# Refused before the database.


def test_a_malformed_key_is_refused_without_any_query(
    api: Client, test_key: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    _, raw = test_key

    with django_assert_num_queries(0):
        response = api.get(ACCOUNT, **bearer(malformed(raw)))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert ApiKey.objects.get(lookup_id=test_key[0].lookup_id).last_used_at is None


def test_a_request_without_a_key_makes_no_query(
    api: Client, db: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = api.get(ACCOUNT)

    assert response.status_code == 401


# No Argon2 on the request path.


@pytest.fixture
def hmacs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per keyed digest the verifier computes."""
    calls: list[int] = []
    real = hashing._digest

    def spy(pepper: bytes, raw_key: str) -> bytes:
        calls.append(1)
        return real(pepper, raw_key)

    monkeypatch.setattr(hashing, "_digest", spy)
    return calls


def test_a_key_is_verified_without_argon2_on_every_worker_from_its_first_request(
    api: Client, test_key: tuple[ApiKey, str], argon2_verifications: list[str]
) -> None:
    _, raw = test_key

    statuses = [api.get(ACCOUNT, **bearer(raw)).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert argon2_verifications == []


def test_a_wrong_secret_is_refused_without_argon2_or_the_cache(
    api: Client,
    test_key: tuple[ApiKey, str],
    argon2_verifications: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row, raw = test_key
    wrong = keys.generate_key("test", row.lookup_id)
    touched: list[str] = []
    monkeypatch.setattr("django.core.cache.cache.add", lambda *a, **k: touched.append("add"))
    monkeypatch.setattr("django.core.cache.cache.incr", lambda *a, **k: touched.append("incr"))

    response = api.get(ACCOUNT, **bearer(wrong))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert argon2_verifications == [] and touched == []
    assert api.get(ACCOUNT, **bearer(raw)).status_code == 200


def test_a_wrong_secret_costs_and_answers_the_same_whatever_its_key_id_is(
    api: Client, alice: User, make_key: MakeKey, hmacs: list[int], argon2_verifications: list[str]
) -> None:
    active, _ = make_key(alice, name="active")
    revoked, _ = make_key(alice, name="revoked")
    services.revoke_key(revoked, actor=services.Actor.command("tests"))
    expired, _ = make_key(alice, name="expired")
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    ids = {
        "active": active.lookup_id,
        "revoked": revoked.lookup_id,
        "expired": expired.lookup_id,
        "unknown": keys.generate_lookup_id(),
    }

    answers = {}
    for state, lookup_id in ids.items():
        hmacs.clear()
        response = api.get(ACCOUNT, **bearer(keys.generate_key("test", lookup_id)))
        answers[state] = (response.status_code, response.content, len(hmacs))

    assert set(answers.values()) == {answers["unknown"]}
    assert answers["unknown"][0] == 401 and answers["unknown"][2] == 1
    assert argon2_verifications == []


def test_a_key_stored_before_verifiers_gets_one_on_its_first_use(
    api: Client, test_key: tuple[ApiKey, str], argon2_verifications: list[str]
) -> None:
    row, raw = test_key
    ApiKey.objects.filter(pk=row.pk).update(verifier="")

    statuses = [api.get(ACCOUNT, **bearer(raw)).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert argon2_verifications == [row.hashed_key]
    row.refresh_from_db()
    assert row.verifier.startswith("v1$")


def test_a_verifier_made_with_a_fallback_secret_still_verifies_and_is_renewed(
    api: Client, settings: Any, test_key: tuple[ApiKey, str], argon2_verifications: list[str]
) -> None:
    row, raw = test_key
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-" + "x" * 20

    assert api.get(ACCOUNT, **bearer(raw)).status_code == 200

    renewed = ApiKey.objects.get(pk=row.pk).verifier
    assert renewed != row.verifier
    settings.SECRET_KEY_FALLBACKS = []
    assert api.get(ACCOUNT, **bearer(raw)).status_code == 200
    assert argon2_verifications == []


def test_without_the_server_secret_a_stored_verifier_tests_no_guess(
    api: Client, settings: Any, test_key: tuple[ApiKey, str], argon2_verifications: list[str]
) -> None:
    """What a database dump gives: a verifier that only the server's secret can check. With
    another secret the right key is unverifiable but for Argon2id, which then renews it."""
    row, raw = test_key
    settings.SECRET_KEY = "someone-else-s-secret-key-" + "y" * 30

    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 200
    assert argon2_verifications == [row.hashed_key]
    assert ApiKey.objects.get(pk=row.pk).verifier != row.verifier


def test_a_wrong_secret_for_a_key_without_a_verifier_is_refused_by_argon2(
    api: Client, test_key: tuple[ApiKey, str], argon2_verifications: list[str]
) -> None:
    row, _ = test_key
    ApiKey.objects.filter(pk=row.pk).update(verifier="")

    response = api.get(ACCOUNT, **bearer(keys.generate_key("test", row.lookup_id)))

    assert response.status_code == 401
    assert argon2_verifications == [row.hashed_key]
    assert ApiKey.objects.get(pk=row.pk).verifier == ""


# No write per request.


def test_last_used_at_is_written_at_most_once_per_minute(
    api: Client, test_key: tuple[ApiKey, str], clock: Callable[[timedelta], datetime]
) -> None:
    row, raw = test_key
    first = clock(timedelta(0))
    api.get(ACCOUNT, **bearer(raw))
    clock(timedelta(seconds=59))

    with CaptureQueriesContext(connection) as captured:
        response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 200
    assert not [q for q in apikey_queries(captured) if q.startswith("UPDATE")]
    row.refresh_from_db()
    assert row.last_used_at == first


def test_last_used_at_moves_forward_once_the_minute_has_passed(
    api: Client, test_key: tuple[ApiKey, str], clock: Callable[[timedelta], datetime]
) -> None:
    row, raw = test_key
    clock(timedelta(0))
    api.get(ACCOUNT, **bearer(raw))
    later = clock(timedelta(seconds=61))

    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.last_used_at == later


def test_the_first_use_is_recorded_once(
    api: Client, test_key: tuple[ApiKey, str], clock: Callable[[timedelta], datetime]
) -> None:
    row, raw = test_key
    for minutes in (0, 2, 4):
        clock(timedelta(minutes=minutes))
        assert api.get(ACCOUNT, **bearer(raw)).status_code == 200

    assert row.events.filter(kind=ApiKeyEvent.Kind.FIRST_USED).count() == 1


def test_a_failed_last_used_write_does_not_fail_the_request(
    api: Client, test_key: tuple[ApiKey, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    row, raw = test_key

    def locked(*args: object, **kwargs: object) -> int:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(ApiKeyQuerySet, "update", locked)

    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 200
    monkeypatch.undo()
    row.refresh_from_db()
    assert row.last_used_at is None


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_row_locked_elsewhere_is_skipped_not_waited_for(
    alice: User, make_key: MakeKey, caplog: pytest.LogCaptureFixture
) -> None:
    row, raw = make_key(alice)
    locked, release = threading.Event(), threading.Event()

    def hold_the_row() -> None:  # a revoke in flight, say, in another worker
        try:
            with transaction.atomic():
                list(ApiKey.objects.select_for_update().filter(pk=row.pk).values("pk"))
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    assert locked.wait(timeout=30)
    with connection.cursor() as cursor:
        # Safety net only: a waiting implementation would fail here (and log) instead of
        # hanging the suite.
        cursor.execute("SET lock_timeout = '5s'")
    try:
        response = Client().get(ACCOUNT, **bearer(raw))
    finally:
        release.set()
        holder.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert response.status_code == 200
    assert "could not record api key use" not in caplog.text
    row.refresh_from_db()
    assert row.last_used_at is None
    assert not row.events.filter(kind=ApiKeyEvent.Kind.FIRST_USED).exists()


def test_on_sqlite_noting_a_use_does_not_wait_for_the_write_lock(db: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: other databases skip locked rows instead")

    def busy_timeout() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            return int(cursor.fetchone()[0])

    configured = busy_timeout()
    with key_use.without_lock_waits():
        during = busy_timeout()

    assert configured > 0
    assert during == 0
    assert busy_timeout() == configured


# Status comes from the row, on every request.


def test_a_revoked_key_is_refused_on_its_next_request(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key
    assert api.get(ACCOUNT, **bearer(raw)).status_code == 200

    services.revoke_key(row, actor=services.Actor.command("tests"))
    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_an_expired_key_is_refused_once_its_time_has_come(
    api: Client, test_key: tuple[ApiKey, str], clock: Callable[[timedelta], datetime]
) -> None:
    row, raw = test_key
    ApiKey.objects.filter(pk=row.pk).update(expires_at=clock(timedelta(0)) + timedelta(hours=1))
    assert api.get(ACCOUNT, **bearer(raw)).status_code == 200

    clock(timedelta(hours=1))
    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 401


def test_a_deactivated_owners_key_is_refused(
    api: Client, alice: User, test_key: tuple[ApiKey, str]
) -> None:
    _, raw = test_key
    assert api.get(ACCOUNT, **bearer(raw)).status_code == 200

    User.objects.filter(pk=alice.pk).update(is_active=False)
    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 401


def test_an_old_argon2_hash_is_upgraded_when_the_verifier_is_renewed(
    api: Client, test_key: tuple[ApiKey, str], argon2_verifications: list[str]
) -> None:
    row, raw = test_key
    # A hash from before a parameter change (the test settings use time_cost=1).
    old_hash = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1).hash(raw)
    ApiKey.objects.filter(pk=row.pk).update(hashed_key=old_hash, verifier="")

    statuses = [api.get(ACCOUNT, **bearer(raw)).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert argon2_verifications == [old_hash]
    row.refresh_from_db()
    assert row.hashed_key != old_hash
    assert not hashing.needs_rehash(row.hashed_key)
    assert PasswordHasher().verify(row.hashed_key, raw)


def test_a_verifier_for_another_secret_refuses_the_key(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key
    assert api.get(ACCOUNT, **bearer(raw)).status_code == 200
    ApiKey.objects.filter(pk=row.pk).update(verifier=hashing.make_verifier(malformed(raw)))

    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 401


def test_a_warm_request_with_a_rolled_keys_old_secret_is_one_query_too(
    test_key: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    row, old = test_key
    _, new = rolling.roll_key(row, grace=timedelta(hours=1), actor=services.Actor.command("t"))
    authenticate(old)  # notes the old secret's use
    authenticate(new)  # and the new one's

    for raw in (old, new):
        with django_assert_num_queries(1):
            user, api_key = authenticate(raw)  # type: ignore[misc]
        assert api_key.pk == row.pk
