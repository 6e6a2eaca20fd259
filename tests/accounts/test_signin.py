"""Signing in, to the console and to the admin: failed attempts are limited per username
and per client address, in the same buckets on both pages; once a limit is used up no
password is checked until the window ends. Personas: alice is a customer, staff a
superuser."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from clipia_console.accounts.signin import sign_in_limits
from tests.support import PASSWORD

CONSOLE_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOO_MANY = "Too many failed sign-ins in a short time."


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The usernames whose password the authentication backend checked."""
    checked: list[str] = []
    real = ModelBackend.authenticate

    def counting(backend: ModelBackend, request: Any, username: Any = None, **kw: Any) -> Any:
        checked.append(str(username))
        return real(backend, request, username=username, **kw)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return checked


def sign_in(
    client: Client, username: str, password: str, address: str = "127.0.0.1", url: str = ""
) -> Any:
    return client.post(
        url or CONSOLE_LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# The admin's sign-in shares the console's limits.


def test_the_admin_refuses_the_right_password_after_too_many_wrong_ones(
    staff: User, settings: Any, password_checks: list[str]
) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 10
    client = Client()
    wrong = [
        sign_in(client, "staff", "wrong", f"198.51.100.{n}", ADMIN_LOGIN).status_code
        for n in range(10)
    ]

    response = sign_in(client, "staff", PASSWORD, "198.51.100.99", ADMIN_LOGIN)

    assert wrong == [200] * 10
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 900
    assert TOO_MANY in response.content.decode()
    assert 'name="password"' in response.content.decode()  # still the admin's sign-in form
    assert not is_signed_in(client)
    assert len(password_checks) == 10  # the 11th password was never checked


def test_the_admin_and_the_console_count_failures_in_the_same_buckets(
    staff: User, settings: Any
) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 4
    client = Client()
    for n in range(2):
        sign_in(client, "staff", "wrong", f"198.51.100.{n}")
        sign_in(client, "staff", "wrong", f"198.51.100.{n}", ADMIN_LOGIN)

    assert sign_in(client, "staff", PASSWORD, "203.0.113.1", ADMIN_LOGIN).status_code == 429
    assert sign_in(client, "staff", PASSWORD, "203.0.113.1").status_code == 429


def test_the_admin_limit_per_address_spans_usernames(staff: User, settings: Any) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_ADDRESS = 2
    client = Client()
    sign_in(client, "someone", "wrong", "203.0.113.5", ADMIN_LOGIN)
    sign_in(client, "else", "wrong", "203.0.113.5", ADMIN_LOGIN)

    assert sign_in(client, "staff", PASSWORD, "203.0.113.5", ADMIN_LOGIN).status_code == 429
    assert sign_in(Client(), "staff", PASSWORD, "203.0.113.6", ADMIN_LOGIN).status_code == 302


def test_staff_still_sign_in_to_the_admin(staff: User) -> None:
    client = Client()

    # The admin's form posts next=/admin/ (a hidden field).
    response = client.post(
        ADMIN_LOGIN, {"username": "staff", "password": PASSWORD, "next": "/admin/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_page_sends_signed_in_staff_to_the_index(staff_client: Client) -> None:
    response = staff_client.get(ADMIN_LOGIN)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_customers_right_password_does_not_open_the_admin(alice: User) -> None:
    client = Client()

    response = sign_in(client, "alice", PASSWORD, url=ADMIN_LOGIN)

    assert response.status_code == 200
    assert "Please enter the correct username and password for a staff" in (
        response.content.decode()
    )
    assert not is_signed_in(client)


# The limit is counted before the password is checked.


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


# Every spelling of a name counts in that name's bucket.


def test_a_fullwidth_spelling_signs_in_as_the_plain_name(alice: User) -> None:
    client = Client()

    assert sign_in(client, "ａｌｉｃｅ", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


@pytest.mark.parametrize("spelling", ["ａｌｉｃｅ", "ALICE", " alice ", "ＡＬＩＣＥ"])
def test_another_spelling_of_a_blocked_name_is_blocked_too(
    alice: User, settings: Any, password_checks: list[str], spelling: str
) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 3
    for n in range(4):
        sign_in(Client(), "alice", "wrong", f"198.51.100.{n}")

    client = Client()
    response = sign_in(client, spelling, PASSWORD, "203.0.113.77")

    assert response.status_code == 429
    assert not is_signed_in(client)
    assert len(password_checks) == 3


def test_username_buckets_are_keyed_with_the_server_secret(settings: Any) -> None:
    request = RequestFactory().post(CONSOLE_LOGIN, {"username": "alice", "password": "x"})
    unsalted = hashlib.sha256(b"alice").hexdigest()[:32]

    bucket, _ = sign_in_limits(request)[0]
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    other_secret, _ = sign_in_limits(request)[0]

    assert unsalted not in bucket
    assert bucket != other_secret


# Addresses that do not parse still count.


@pytest.mark.parametrize("address", ["", "unix:/run/gunicorn.sock"])
def test_sign_ins_from_unreadable_addresses_share_one_limit(
    alice: User, settings: Any, address: str
) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_ADDRESS = 2
    sign_in(Client(), "bob", "wrong", address)
    sign_in(Client(), "carol", "wrong", address)

    assert sign_in(Client(), "alice", PASSWORD, address).status_code == 429
    assert sign_in(Client(), "alice", PASSWORD, "203.0.113.6").status_code == 302


def test_sign_ins_through_a_proxy_with_a_trailing_empty_hop_are_counted(
    alice: User, settings: Any
) -> None:
    settings.APIKEYS_NUM_PROXIES = 1
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_ADDRESS = 2
    hop: dict[str, Any] = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, ", "REMOTE_ADDR": "10.0.0.2"}
    for name in ("bob", "carol"):
        Client().post(CONSOLE_LOGIN, {"username": name, "password": "wrong"}, **hop)

    response = Client().post(CONSOLE_LOGIN, {"username": "alice", "password": PASSWORD}, **hop)
    elsewhere = Client().post(
        CONSOLE_LOGIN,
        {"username": "alice", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.10, ",
        REMOTE_ADDR="10.0.0.2",
    )

    assert response.status_code == 429
    assert elsewhere.status_code == 302  # another client, not one "unknown" bucket for all


def test_sign_ins_from_one_ipv6_64_share_a_limit(alice: User, settings: Any) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_ADDRESS = 2
    sign_in(Client(), "bob", "wrong", "2001:db8:5:6::1")
    sign_in(Client(), "carol", "wrong", "2001:db8:5:6::2")

    assert sign_in(Client(), "alice", PASSWORD, "2001:db8:5:6::3").status_code == 429
    assert sign_in(Client(), "alice", PASSWORD, "2001:db8:5:7::3").status_code == 302


# A next that points back at the sign-in page.


def test_a_signed_in_user_sent_to_sign_in_with_next_the_sign_in_page_lands_in_the_console(
    alice: User,
) -> None:
    client = Client()
    client.force_login(alice)

    response = client.get(f"{CONSOLE_LOGIN}?next={CONSOLE_LOGIN}")

    assert response.status_code == 302
    assert response["Location"] == "/developer/"


def test_signing_in_with_next_the_sign_in_page_lands_in_the_console(alice: User) -> None:
    response = Client().post(
        CONSOLE_LOGIN, {"username": "alice", "password": PASSWORD, "next": CONSOLE_LOGIN}
    )

    assert response.status_code == 302
    assert response["Location"] == "/developer/"


def test_a_next_elsewhere_is_still_followed(alice: User) -> None:
    client = Client()
    client.force_login(alice)

    response = client.get(f"{CONSOLE_LOGIN}?next=/developer/api-keys/")

    assert response["Location"] == "/developer/api-keys/"
