"""Signing in to the admin: refused after too many wrong passwords, in the same buckets as
the console's, per address across usernames; staff still get in, customers do not."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from tests.accounts.helpers import TOO_MANY, is_signed_in, sign_in
from tests.support import PASSWORD

ADMIN_LOGIN = "/admin/login/"


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
