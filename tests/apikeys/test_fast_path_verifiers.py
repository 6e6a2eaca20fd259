"""The fast path's secret check: one HMAC against the stored verifier, never Argon2 on the
request path; wrong secrets, fallback and missing server secrets, and verifiers made or
renewed on first use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from apikeys import hashing, keys, services
from apikeys.models import ApiKey
from tests.apikeys.helpers import ACCOUNT, malformed
from tests.support import MakeKey, bearer


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
