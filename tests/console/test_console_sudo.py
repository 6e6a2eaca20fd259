"""Confirm it is you: creating a live key, rolling a key and raising a budget ask for the
password again once the sign-in is older than 15 minutes, carry what was typed through the
confirmation, work without JavaScript and behind htmx, and are limited like sign-in. The
clock is moved (django.utils.timezone.now), never slept on."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.accounts import sudo
from tests.support import FULL_KEY, PASSWORD, budget

KEYS_URL = "/developer/api-keys/"
HTMX = {"HX-Request": "true"}


def token() -> str:
    """A fresh single-use form token, as each rendered create or roll form carries."""
    return secrets.token_urlsafe(18)


LIVE_KEY = {
    "name": "Payments worker",
    "environment": "live",
    "scopes": ["generate"],
    "expires": "30",
    "form_token": "the-form-token-of-this-page",
}


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch, console: Client) -> None:
    """16 minutes after the console's sign-in: past the confirmation window."""
    moment = timezone.now() + timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def text_of(response: Any) -> str:
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(html)).strip()


def hidden_fields(response: Any) -> list[tuple[str, str]]:
    html = response.content.decode()
    pairs = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    # The form's single-use token is carried too (asserted once below), fresh per request.
    skipped = {"csrfmiddlewaretoken", "form_token"}
    return [(name, unescape(value)) for name, value in pairs if name not in skipped]


def asks_for_the_password(response: Any) -> bool:
    return "Confirm it is you" in text_of(response) and 'name="confirm_password"' in (
        response.content.decode()
    )


# Creating a live key


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


# Rolling a key


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


# Raising a budget


def budget_url(api_key: ApiKey) -> str:
    return f"{KEYS_URL}{api_key.pk}/budget/"


@pytest.mark.usefixtures("later")
@pytest.mark.parametrize(("credits", "period"), [("200", "month"), ("", "month"), ("100", "day")])
def test_raising_a_budget_asks_for_the_password(
    console: Client, test_key: tuple[ApiKey, str], credits: str, period: str
) -> None:
    row, _ = test_key
    budget(row, 100, "month")

    asked = console.post(budget_url(row), {"budget_credits": credits, "budget_period": period})

    assert asks_for_the_password(asked)
    assert "raise this key's budget" in text_of(asked)
    assert sorted(hidden_fields(asked)) == [("budget_credits", credits), ("budget_period", period)]
    row.refresh_from_db()
    assert (row.budget_credits, row.budget_period) == (100, "month")

    confirmed = console.post(
        budget_url(row),
        {"budget_credits": credits, "budget_period": period, sudo.PASSWORD_FIELD: PASSWORD},
    )

    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"{KEYS_URL}{row.pk}/"
    row.refresh_from_db()
    assert (row.budget_credits, row.budget_period) == (int(credits) if credits else None, period)


@pytest.mark.usefixtures("later")
@pytest.mark.parametrize(("credits", "period"), [("50", "month"), ("100", "total")])
def test_tightening_a_budget_never_asks(
    console: Client, test_key: tuple[ApiKey, str], credits: str, period: str
) -> None:
    row, _ = test_key
    budget(row, 100, "month")

    response = console.post(budget_url(row), {"budget_credits": credits, "budget_period": period})

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.budget_credits, row.budget_period) == (int(credits), period)


@pytest.mark.usefixtures("later")
def test_a_first_budget_never_asks(console: Client, test_key: tuple[ApiKey, str]) -> None:
    row, _ = test_key
    response = console.post(budget_url(row), {"budget_credits": "10", "budget_period": "day"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.budget_credits == 10


@pytest.mark.usefixtures("later")
def test_an_htmx_budget_raise_is_confirmed_in_place_of_the_page(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    budget(row, 100, "month")

    response = console.post(
        budget_url(row), {"budget_credits": "500", "budget_period": "month"}, headers=HTMX
    )

    assert response["HX-Retarget"] == "#main"
    assert asks_for_the_password(response)
    row.refresh_from_db()
    assert row.budget_credits == 100


# Widening what a key may spend on (issue 18): resuming it, allowing every model or more
# models, removing or widening its address list. Narrowing never asks.


def setting_url(api_key: ApiKey, setting: str) -> str:
    return f"{KEYS_URL}{api_key.pk}/{setting}/"


@pytest.mark.usefixtures("later")
@pytest.mark.parametrize(
    ("setting", "before", "data", "action"),
    [
        ("resume", "paused", {}, "resume this key's spending"),
        ("models", ["clipia/motion-v1-fast"], {"all_models": "on"}, "use more models"),
        (
            "models",
            ["clipia/motion-v1-fast"],
            {"models": ["clipia/motion-v1-fast", "clipia/motion-v1"]},
            "use more models",
        ),
        ("addresses", ["203.0.113.7/32"], {"allowed_ips": ""}, "used from more addresses"),
    ],
)
def test_widening_a_keys_controls_asks_for_the_password(
    console: Client,
    test_key: tuple[ApiKey, str],
    setting: str,
    before: Any,
    data: dict[str, Any],
    action: str,
) -> None:
    row, _ = test_key
    fields = {
        "resume": {"paused_at": timezone.now()},
        "models": {"allowed_models": before},
        "addresses": {"allowed_ips": before},
    }[setting]
    ApiKey.objects.filter(pk=row.pk).update(**fields)

    asked = console.post(setting_url(row, setting), data)

    assert asks_for_the_password(asked)
    assert action in text_of(asked)
    assert ApiKey.objects.filter(pk=row.pk, **fields).exists()  # unchanged

    confirmed = console.post(setting_url(row, setting), {**data, sudo.PASSWORD_FIELD: PASSWORD})

    assert confirmed.status_code == 302
    assert not ApiKey.objects.filter(pk=row.pk, **fields).exists()


@pytest.mark.usefixtures("later", "catalog")
@pytest.mark.parametrize(
    ("setting", "data"),
    [
        ("pause", {}),
        ("models", {"models": ["clipia/motion-v1"]}),
        ("addresses", {"allowed_ips": "203.0.113.7"}),
    ],
)
def test_narrowing_a_keys_controls_never_asks(
    console: Client, test_key: tuple[ApiKey, str], setting: str, data: dict[str, Any]
) -> None:
    row, _ = test_key

    response = console.post(setting_url(row, setting), data)

    assert response.status_code == 302
