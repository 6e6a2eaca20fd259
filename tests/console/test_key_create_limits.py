"""What stops a key being created: the active key cap, the per-user create rate limit and
the CSRF token (also carried by htmx requests)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey
from tests.console.helpers import HTMX, KEYS_URL, create, revoke_url
from tests.support import MakeKey


def test_it_explains_the_active_key_cap_when_reached(
    console: Client, alice: User, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_MAX_ACTIVE_KEYS = 2
    make_key(alice)
    make_key(alice)

    response = create(console)

    assert response.status_code == 422
    assert "An account can hold at most 2 active keys." in response.content.decode()
    assert ApiKey.objects.filter(owner=alice).count() == 2


def test_a_revoked_key_frees_a_place_under_the_cap(
    console: Client, alice: User, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_MAX_ACTIVE_KEYS = 1
    old, _ = make_key(alice)
    console.post(revoke_url(old))

    assert create(console).status_code == 201
    assert ApiKey.objects.usable().filter(owner=alice).count() == 1


def test_creating_keys_is_rate_limited_per_user(
    console: Client, alice: User, settings: Any
) -> None:
    settings.APIKEYS_CONSOLE_CREATE_LIMIT = 2
    assert create(console).status_code == 201
    assert create(console).status_code == 201

    response = create(console)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many new keys in a short time." in response.content.decode()
    assert ApiKey.objects.filter(owner=alice).count() == 2


def test_the_create_limit_is_not_shared_between_users(
    console: Client, bob: User, settings: Any
) -> None:
    settings.APIKEYS_CONSOLE_CREATE_LIMIT = 1
    assert create(console).status_code == 201
    bobs = Client()
    bobs.force_login(bob)
    assert create(bobs).status_code == 201


def test_creating_needs_a_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = create(client, headers=HTMX)

    assert response.status_code == 403
    assert ApiKey.objects.filter(owner=alice).count() == 0


def test_htmx_requests_carry_the_pages_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get(KEYS_URL).content.decode()
    match = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page)
    assert match is not None

    response = create(client, headers={**HTMX, "X-CSRFToken": match.group(1)})

    assert response.status_code == 201
    assert ApiKey.objects.filter(owner=alice).count() == 1
