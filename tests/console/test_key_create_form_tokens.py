"""Replaying and expired create forms: each rendered form carries a one-use token, a replay
mints no second key, a refused create gives its token back."""

from __future__ import annotations

import re
import secrets
from html import unescape
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from apikeys import services
from apikeys.models import ApiKey
from tests.console.helpers import KEYS_URL, create, full_keys_in, revoke_url
from tests.support import MakeKey


def test_replaying_a_create_form_mints_no_second_key(console: Client, alice: User) -> None:
    token = secrets.token_urlsafe(18)
    first = create(console, form_token=token)
    assert first.status_code == 201

    replay = create(console, form_token=token)

    assert replay.status_code == 409
    assert "This form was already used — your key was created and shown once" in unescape(
        replay.content.decode()
    )
    assert full_keys_in(replay) == []
    assert ApiKey.objects.filter(owner=alice).count() == 1


def test_each_rendered_create_form_carries_a_fresh_token(console: Client) -> None:
    first = re.findall(r'name="form_token" value="([^"]+)"', console.get(KEYS_URL).content.decode())
    second = re.findall(r'name="form_token" value="([^"]+)"', create(console).content.decode())
    assert len(first) == len(second) == 1
    assert first != second


def test_a_create_without_its_form_token_is_refused_as_out_of_date(
    console: Client, alice: User
) -> None:
    response = create(console, form_token="")
    assert response.status_code == 422
    assert "This form is out of date." in response.content.decode()
    assert ApiKey.objects.count() == 0


def test_a_refused_create_gives_its_token_back(
    console: Client, alice: User, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_MAX_ACTIVE_KEYS = 1
    existing, _ = make_key(alice)
    token = secrets.token_urlsafe(18)
    assert create(console, form_token=token).status_code == 422  # the cap
    services.revoke_key(existing, actor=services.Actor.command("tests"))

    assert create(console, form_token=token).status_code == 201  # a reload after fixing it


def test_a_form_sent_after_its_token_expired_says_nothing_was_changed(
    alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Old laptop")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(revoke_url(api_key), {"key_name": "Old laptop"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "Nothing was changed" in html
    assert "no key was created or revoked" in html
    api_key.refresh_from_db()
    assert api_key.revoked_at is None
