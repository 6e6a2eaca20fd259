"""Confirm it is you for creating a live key and rolling: a sign-in older than 15 minutes is
asked for the password, what was typed is carried through, wrong passwords are limited
like sign-in, test keys never ask, and it works behind htmx."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.accounts import sudo
from tests.console.helpers import (
    HTMX,
    KEYS_URL,
    asks_for_the_password,
    hidden_fields,
    text_of,
    token,
)
from tests.support import FULL_KEY, PASSWORD

LIVE_KEY = {
    "name": "Payments worker",
    "environment": "live",
    "scopes": ["generate"],
    "expires": "30",
    "form_token": "the-form-token-of-this-page",
}


def test_a_fresh_sign_in_creates_a_live_key_without_asking(console: Client, alice: User) -> None:
    response = console.post(KEYS_URL, LIVE_KEY)
    assert response.status_code == 201
    assert ApiKey.objects.filter(owner=alice, environment="live").count() == 1


def test_signing_in_with_the_form_counts_as_recent(alice: User) -> None:
    client = Client()
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert client.post(KEYS_URL, LIVE_KEY).status_code == 201


@pytest.mark.usefixtures("later")
def test_an_old_sign_in_is_asked_for_the_password_and_nothing_typed_is_lost(
    console: Client, alice: User
) -> None:
    response = console.post(KEYS_URL, LIVE_KEY)

    assert response.status_code == 200
    assert asks_for_the_password(response)
    assert "Enter your password to create a live key." in text_of(response)
    assert sorted(hidden_fields(response)) == sorted(
        [
            ("name", "Payments worker"),
            ("environment", "live"),
            ("scopes", "generate"),
            ("expires", "30"),
        ]
    )
    assert f'action="{KEYS_URL}"' in response.content.decode()
    assert 'name="form_token" value="the-form-token-of-this-page"' in response.content.decode()
    assert not ApiKey.objects.filter(owner=alice).exists()


@pytest.mark.usefixtures("later")
def test_the_right_password_creates_the_key_as_it_was_typed(console: Client, alice: User) -> None:
    response = console.post(KEYS_URL, {**LIVE_KEY, sudo.PASSWORD_FIELD: PASSWORD})

    assert response.status_code == 201
    api_key = ApiKey.objects.get(owner=alice)
    assert (api_key.name, api_key.environment, api_key.scopes) == (
        "Payments worker",
        "live",
        "generate",
    )
    assert api_key.expires_at is not None
    assert len(FULL_KEY.findall(response.content.decode())) >= 1
    assert PASSWORD not in response.content.decode()
    # Confirmed: the next sensitive action within 15 minutes does not ask again.
    second = {**LIVE_KEY, "name": "Second", "form_token": token()}
    assert console.post(KEYS_URL, second).status_code == 201


@pytest.mark.usefixtures("later")
def test_a_wrong_password_is_refused_and_asked_again(console: Client, alice: User) -> None:
    response = console.post(KEYS_URL, {**LIVE_KEY, sudo.PASSWORD_FIELD: "not-it"})

    assert response.status_code == 422
    assert "That is not your password. Try again." in text_of(response)
    assert ("name", "Payments worker") in hidden_fields(response)
    assert "not-it" not in response.content.decode()
    assert not ApiKey.objects.filter(owner=alice).exists()


@pytest.mark.usefixtures("later")
def test_wrong_passwords_are_limited_like_sign_in(
    console: Client, alice: User, settings: Any
) -> None:
    settings.APIKEYS_LOGIN_FAILURE_LIMIT_PER_USERNAME = 3
    for _ in range(3):
        assert console.post(KEYS_URL, {**LIVE_KEY, sudo.PASSWORD_FIELD: "guess"}).status_code == 422

    response = console.post(KEYS_URL, {**LIVE_KEY, sudo.PASSWORD_FIELD: PASSWORD})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed sign-ins" in text_of(response)
    assert not ApiKey.objects.filter(owner=alice).exists()


@pytest.mark.usefixtures("later")
def test_a_test_key_never_asks(console: Client, alice: User) -> None:
    response = console.post(KEYS_URL, {**LIVE_KEY, "environment": "test"})
    assert response.status_code == 201


@pytest.mark.usefixtures("later")
def test_an_invalid_form_shows_its_errors_before_asking(console: Client) -> None:
    response = console.post(KEYS_URL, {**LIVE_KEY, "name": ""})
    assert response.status_code == 422
    assert "Give the key a name." in text_of(response)
    assert not asks_for_the_password(response)


@pytest.mark.usefixtures("later")
def test_behind_htmx_the_confirmation_replaces_the_console_content(
    console: Client, alice: User
) -> None:
    response = console.post(KEYS_URL, LIVE_KEY, headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Retarget"] == "#main"
    assert response["HX-Reswap"] == "innerHTML"
    assert asks_for_the_password(response)
    assert "<html" not in response.content.decode()
    # Its form is a plain POST: the answer after confirming is a whole page.
    assert "hx-post" not in response.content.decode()
    assert ("environment", "live") in hidden_fields(response)
    assert not ApiKey.objects.filter(owner=alice).exists()


@pytest.mark.usefixtures("later")
def test_rolling_asks_for_the_password_then_rolls_with_the_grace_chosen(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    url = f"{KEYS_URL}{row.pk}/roll/"

    asked = console.post(url, {"form_token": token(), "grace": "24h"})
    assert asks_for_the_password(asked)
    assert hidden_fields(asked) == [("grace", "24h")]
    assert not ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.ROLLED).exists()

    rolled = console.post(
        url, {"form_token": token(), "grace": "24h", sudo.PASSWORD_FIELD: PASSWORD}
    )

    assert rolled.status_code == 200
    assert len(set(FULL_KEY.findall(rolled.content.decode()))) == 1
    row.refresh_from_db()
    assert row.rolled_at is not None and row.previous_expires_at is not None
    assert row.previous_expires_at - row.rolled_at == timedelta(hours=24)
