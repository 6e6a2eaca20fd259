"""Rolling a key in the console: the roll page and its graces, the new key shown once, the rate
limit, htmx, reloads, and the keys that cannot be rolled (revoked, expired, another's)."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from apikeys import services
from apikeys.models import ApiKey, ApiKeyEvent
from tests.console.helpers import (
    HTMX,
    KEYS_URL,
    OWNER,
    move_clock,
    roll_url,
    text_of,
    token,
    v1_account,
)
from tests.support import FULL_KEY, MakeKey


def test_the_roll_page_offers_the_graces(console: Client, test_key: tuple[ApiKey, str]) -> None:
    row, _ = test_key
    response = console.get(roll_url(row))

    assert response.status_code == 200
    page = text_of(response)
    for label in ("End it now", "1 hour", "24 hours", "7 days"):
        assert label in page
    assert "cut short" not in page


def test_the_roll_page_says_the_grace_never_outlives_the_key(console: Client, alice: User) -> None:
    api_key, _ = services.create_key(
        owner=alice,
        name="Expiring",
        environment="test",
        actor=OWNER,
        expires_at=timezone.now() + timedelta(days=2),
    )
    page = text_of(console.get(roll_url(api_key)))

    assert "the old secret never works past that" in page
    assert page.count("cut short, the key itself expires") == 1  # only 7 days is cut short


def test_rolling_shows_the_new_key_once_and_keeps_the_old_one_for_its_grace(
    console: Client, test_key: tuple[ApiKey, str], caplog: pytest.LogCaptureFixture
) -> None:
    row, old_key = test_key
    caplog.set_level(logging.DEBUG)

    response = console.post(roll_url(row), {"form_token": token(), "grace": "1h"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = FULL_KEY.findall(response.content.decode())
    new_key = shown[0]
    assert set(shown) == {new_key} and new_key != old_key
    assert new_key.startswith(row.display_prefix)  # same key, same prefix
    page = text_of(response)
    assert "Store it now; it will not be shown again." in page
    row.refresh_from_db()
    assert row.previous_expires_at is not None
    ends = row.previous_expires_at
    assert f"The old secret keeps working until {ends:%b} {ends.day}, {ends:%Y %H:%M} UTC" in page
    assert v1_account(new_key) == 200 and v1_account(old_key) == 200
    assert ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.ROLLED).count() == 1
    # Nowhere else: not in the session, messages, a log line, or the next page.
    assert new_key not in json.dumps(dict(console.session.items()), default=str)
    assert new_key not in caplog.text
    assert not FULL_KEY.search(console.get(roll_url(row)).content.decode())
    assert not FULL_KEY.search(console.get(KEYS_URL).content.decode())


def test_the_roll_form_offers_an_early_end_off_by_default_and_states_the_one_chosen(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    form = console.get(roll_url(row)).content.decode()
    assert re.search(r'name="early_end" value=""[^>]*checked', form)

    response = console.post(
        roll_url(row), {"form_token": token(), "grace": "7d", "early_end": "1h"}
    )

    row.refresh_from_db()
    assert row.previous_quiet_after == timedelta(hours=1)
    assert (
        "or sooner once the new one is in use and the old one has been silent for 1 hour, "
        "as you chose" in text_of(response)
    )


def test_rolling_is_rate_limited_per_user_like_creating(
    console: Client, test_key: tuple[ApiKey, str], settings: Any
) -> None:
    """Issue 18: each roll costs an Argon2id hash and two audit rows; 40 in 20 s all
    succeeded."""
    settings.APIKEYS_CONSOLE_ROLL_LIMIT = 2
    row, _ = test_key
    for _ in range(2):
        assert (
            console.post(roll_url(row), {"form_token": token(), "grace": "1h"}).status_code == 200
        )
    rolled_at = ApiKey.objects.get(pk=row.pk).rolled_at

    refused = console.post(roll_url(row), {"form_token": token(), "grace": "1h"})

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many rolls in a short time." in text_of(refused)
    assert ApiKey.objects.get(pk=row.pk).rolled_at == rolled_at


def test_rolling_with_no_grace_retires_the_old_secret_at_once(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, old_key = test_key

    response = console.post(roll_url(row), {"form_token": token(), "grace": "now"})

    assert response.status_code == 200
    assert "The old secret stopped working at once" in text_of(response)
    assert v1_account(old_key) == 401
    assert v1_account(FULL_KEY.findall(response.content.decode())[0]) == 200


def test_an_htmx_roll_swaps_in_the_new_key_panel(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key

    response = console.post(roll_url(row), {"form_token": token(), "grace": "24h"}, headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="roll-area"' in html and 'id="new-key"' in html
    assert "no-store" in response["Cache-Control"]
    assert "rolled. Copy the new key now" in text_of(response)
    assert len(set(FULL_KEY.findall(html))) == 1


def test_a_grace_must_be_chosen(console: Client, test_key: tuple[ApiKey, str]) -> None:
    row, old_key = test_key
    response = console.post(roll_url(row), {"form_token": token(), "grace": "forever"})
    assert response.status_code == 422
    assert "Choose how long the old secret keeps working." in text_of(response)
    assert not FULL_KEY.search(response.content.decode())
    assert not ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.ROLLED).exists()


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_revoked_key_cannot_be_rolled(
    console: Client, test_key: tuple[ApiKey, str], headers: dict[str, str]
) -> None:
    row, _ = test_key
    services.revoke_key(row, actor=OWNER)
    listing = console.get(KEYS_URL).content.decode()
    assert f'href="{roll_url(row)}"' not in listing

    response = console.post(roll_url(row), {"form_token": token(), "grace": "1h"}, headers=headers)

    assert response.status_code == 409
    assert "is revoked, so it cannot be rolled. Create a new key instead." in text_of(response)
    assert not FULL_KEY.search(response.content.decode())
    assert not ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.ROLLED).exists()


def test_an_expired_key_cannot_be_rolled(
    console: Client, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    api_key, _ = services.create_key(
        owner=alice, name="Old", environment="test", actor=OWNER, expires_at=now + timedelta(days=1)
    )
    move_clock(monkeypatch, now + timedelta(days=2))

    assert "is expired, so it cannot be rolled" in text_of(console.get(roll_url(api_key)))
    response = console.post(roll_url(api_key), {"form_token": token(), "grace": "1h"})

    assert response.status_code == 409
    assert "is expired, so it cannot be rolled" in text_of(response)
    assert not ApiKeyEvent.objects.filter(api_key=api_key, kind=ApiKeyEvent.Kind.ROLLED).exists()


@pytest.mark.parametrize("path", ["roll/", "end-grace/", "edit/"])
def test_cannot_touch_another_customers_key(
    console: Client, bob: User, make_key: MakeKey, path: str
) -> None:
    bobs_key, _ = make_key(bob, name="Bob's")
    assert console.get(f"{KEYS_URL}{bobs_key.pk}/{path}").status_code == 404
    response = console.post(
        f"{KEYS_URL}{bobs_key.pk}/{path}", {"form_token": token(), "grace": "now", "name": "Mine"}
    )
    assert response.status_code == 404
    bobs_key.refresh_from_db()
    assert bobs_key.name == "Bob's" and bobs_key.rolled_at is None


def test_a_reload_that_re_posts_the_roll_does_not_roll_again(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, old_key = test_key
    form = {"form_token": token(), "grace": "24h"}
    first = console.post(roll_url(row), form)
    new_key = FULL_KEY.findall(first.content.decode())[0]

    replay = console.post(roll_url(row), form)  # what a reload without JavaScript sends

    assert replay.status_code == 409
    assert "This form was already used — the key was rolled" in text_of(replay)
    assert not FULL_KEY.search(replay.content.decode())
    assert ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.ROLLED).count() == 1
    assert v1_account(old_key) == 200 and v1_account(new_key) == 200
