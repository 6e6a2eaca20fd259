"""The console's sign-in page through the Django test client: its form, and the limits on
failed sign-ins (per username, per client address, held in process when Redis is down).
Personas: alice and bob are customers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from tests.support import PASSWORD

KEYS_URL = "/developer/api-keys/"


def test_the_sign_in_page_has_labelled_fields(db: Any) -> None:
    html = Client().get("/accounts/login/").content.decode()
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html


def sign_in(client: Client, username: str, password: str, address: str = "127.0.0.1") -> Any:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_a_wrong_password_is_refused_with_a_message(alice: User) -> None:
    response = sign_in(Client(), "alice", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


def test_too_many_failed_sign_ins_for_a_username_are_refused_with_429(
    alice: User, settings: Any
) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 3
    client = Client()
    for number in range(3):
        assert sign_in(client, "alice", "wrong", f"198.51.100.{number}").status_code == 200

    response = sign_in(client, "alice", "wrong", "198.51.100.9")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed sign-ins in a short time." in response.content.decode()


def test_the_right_password_is_refused_too_while_the_limit_holds(
    alice: User, settings: Any
) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 2
    client = Client()
    for _ in range(3):
        sign_in(client, "alice", "wrong")

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(KEYS_URL).status_code == 302


def test_failed_sign_ins_are_counted_per_client_address(
    alice: User, bob: User, settings: Any
) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_ADDRESS = 2
    client = Client()
    sign_in(client, "alice", "wrong", "203.0.113.5")
    sign_in(client, "bob", "wrong", "203.0.113.5")

    assert sign_in(client, "carol", "wrong", "203.0.113.5").status_code == 429
    assert sign_in(Client(), "bob", PASSWORD, "203.0.113.5").status_code == 429
    assert sign_in(Client(), "bob", PASSWORD, "203.0.113.6").status_code == 302


def test_sign_in_limits_hold_in_process_when_redis_is_unreachable(
    alice: User, settings: Any
) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 2
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    client = Client()

    statuses = [sign_in(client, "alice", "wrong").status_code for _ in range(4)]
    right_password = sign_in(client, "alice", PASSWORD)

    assert statuses == [200, 200, 429, 429]
    assert right_password.status_code == 429  # refused unchecked, as with Redis up


def test_a_few_failures_do_not_stop_the_right_password(alice: User, settings: Any) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 3
    client = Client()
    sign_in(client, "alice", "wrong")
    sign_in(client, "alice", "wrong")

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_empty_sign_in_fields_are_not_counted_as_failures(alice: User, settings: Any) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 1
    client = Client()
    for _ in range(3):
        assert sign_in(client, "alice", "").status_code == 200

    assert sign_in(client, "alice", PASSWORD).status_code == 302
