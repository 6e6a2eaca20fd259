"""The sign-in limit: once used up no password is checked until the window ends, a guess
racing the last allowed one is refused, and a success uses none of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.test import Client

from tests.accounts.helpers import TOO_MANY, is_signed_in, sign_in
from tests.support import PASSWORD


def test_with_a_limit_of_ten_the_eleventh_attempt_is_refused_unchecked(
    alice: User, settings: Any, password_checks: list[str]
) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 10
    client = Client()
    wrong = [sign_in(client, "alice", "wrong").status_code for _ in range(10)]

    eleventh = sign_in(client, "alice", PASSWORD)

    assert wrong == [200] * 10
    assert eleventh.status_code == 429
    assert TOO_MANY in eleventh.content.decode()
    assert password_checks == ["alice"] * 10
    assert not is_signed_in(client)


def test_refused_attempts_check_no_password(
    alice: User, settings: Any, password_checks: list[str]
) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 2
    client = Client()
    for _ in range(2):
        sign_in(client, "alice", "wrong")

    statuses = [sign_in(client, "alice", "wrong").status_code for _ in range(5)]

    assert statuses == [429] * 5
    assert len(password_checks) == 2


def test_a_guess_arriving_while_the_last_allowed_one_is_checked_is_refused(
    alice: User, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Concurrent guesses: the attempt is counted before its password is checked, so a
    second one sent meanwhile finds the bucket full instead of slipping past it."""
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 1
    real = ModelBackend.authenticate
    checks: list[str] = []
    meanwhile: list[int] = []

    def checking_slowly(backend: ModelBackend, request: Any, **kw: Any) -> Any:
        checks.append(kw["username"])
        if len(checks) == 1:  # the first check is still running when the second arrives
            meanwhile.append(sign_in(Client(), "alice", PASSWORD, "203.0.113.2").status_code)
        return real(backend, request, **kw)

    monkeypatch.setattr(ModelBackend, "authenticate", checking_slowly)

    first = sign_in(Client(), "alice", "wrong", "203.0.113.1")

    assert first.status_code == 200
    assert meanwhile == [429]
    assert checks == ["alice"]


def test_a_successful_sign_in_does_not_use_up_the_limit(alice: User, settings: Any) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 2
    for _ in range(5):
        assert sign_in(Client(), "alice", PASSWORD).status_code == 302

    sign_in(Client(), "alice", "wrong")

    assert sign_in(Client(), "alice", PASSWORD).status_code == 302
