"""Which sign-in attempts share a limit: other spellings of a name, usernames keyed with the
server secret, unreadable addresses, proxies with an empty hop and one IPv6 /64."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from clipia_console.accounts.signin import sign_in_limits
from tests.accounts.helpers import CONSOLE_LOGIN, is_signed_in, sign_in
from tests.support import PASSWORD


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
