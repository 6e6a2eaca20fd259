"""Revoking a key in the console: the confirmation page, full-page and htmx revokes, the next
/v1 request refused, other users' and impossible keys, CSRF and the revoke rate limit."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from apikeys.models import ApiKey, ApiKeyEvent
from tests.console.helpers import HTMX, KEYS_URL, revoke_url, v1_account
from tests.support import MakeKey


def test_the_revoke_page_asks_for_confirmation_and_revokes_nothing(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="old server")

    response = console.get(revoke_url(api_key))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Revoke “old server”?" in html
    assert f'<form method="post" action="{revoke_url(api_key)}"' in html
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_it_revokes_a_key_and_redirects_back_with_a_message(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="old server")

    response = console.post(revoke_url(api_key), follow=True)

    assert response.redirect_chain == [(KEYS_URL, 302)]
    assert "Revoked “old server”. Requests with it now get 401." in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    event = ApiKeyEvent.objects.get(kind=ApiKeyEvent.Kind.REVOKED)
    assert (event.api_key_id, event.actor_id) == (api_key.pk, alice.pk)


def test_htmx_revoke_returns_the_updated_row(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="old server")

    response = console.post(revoke_url(api_key), headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="key-{api_key.pk}" class="key-row is-revoked"')
    assert "by you" in html
    assert 'id="announcer" hx-swap-oob="innerHTML">Revoked “old server”.' in html
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_the_very_next_v1_request_after_revoking_gets_401(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice)
    assert v1_account(raw_key) == 200  # warm in this process: no Argon2 on the next call

    console.post(revoke_url(api_key), headers=HTMX)

    assert v1_account(raw_key) == 401


def test_revoking_twice_says_it_was_already_revoked(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="old server")
    console.post(revoke_url(api_key))
    api_key.refresh_from_db()
    revoked_at = api_key.revoked_at

    response = console.post(revoke_url(api_key), headers=HTMX)

    assert "“old server” was already revoked." in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at == revoked_at
    assert ApiKeyEvent.objects.filter(kind=ApiKeyEvent.Kind.REVOKED).count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_cannot_see_or_revoke_another_users_key(
    console: Client, bob: User, make_key: MakeKey, method: str
) -> None:
    bobs_key, raw_key = make_key(bob, name="bobs key")

    response = getattr(console, method)(revoke_url(bobs_key), headers=HTMX)

    assert response.status_code == 404
    assert "bobs key" not in response.content.decode()
    bobs_key.refresh_from_db()
    assert bobs_key.revoked_at is None
    assert v1_account(raw_key) == 200


@pytest.mark.parametrize("key_id", ["0", "99999999999999999999999"])
def test_an_impossible_key_id_is_a_404_not_a_500(console: Client, key_id: str) -> None:
    assert console.get(f"{KEYS_URL}{key_id}/revoke/").status_code == 404
    assert console.post(f"{KEYS_URL}{key_id}/revoke/", headers=HTMX).status_code == 404


def test_staff_cannot_revoke_a_customers_key_from_the_console(
    staff: User, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)
    client = Client()
    client.force_login(staff)

    assert client.post(revoke_url(api_key)).status_code == 404
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_revoking_needs_a_csrf_token(alice: User, make_key: MakeKey) -> None:
    api_key, _ = make_key(alice)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(revoke_url(api_key), headers=HTMX)

    assert response.status_code == 403
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_revoking_is_rate_limited_per_user(
    console: Client, alice: User, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_CONSOLE_REVOKE_LIMIT = 1
    first, _ = make_key(alice)
    second, _ = make_key(alice, name="second key")
    console.post(revoke_url(first))

    response = console.post(revoke_url(second), headers=HTMX)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Too many revocations in a short time." in html
    assert 'role="alert"' in html
    second.refresh_from_db()
    assert second.revoked_at is None


def test_a_rate_limited_revoke_without_javascript_shows_the_confirmation_again(
    console: Client, alice: User, make_key: MakeKey, settings: Any
) -> None:
    settings.APIKEYS_CONSOLE_REVOKE_LIMIT = 0
    api_key, _ = make_key(alice, name="old server")

    response = console.post(revoke_url(api_key))

    assert response.status_code == 429
    assert "Revoke “old server”?" in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_the_confirmation_shows_prefix_environment_and_last_use_and_focuses_nothing_dangerous(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "live", name="Render server")
    html = console.get(revoke_url(api_key)).content.decode()
    section = html[html.index('aria-labelledby="confirm-title"') :]
    assert f"{api_key.display_prefix}…" in section
    assert ">Live<" in section
    assert "Last used" in section and "never" in section
    assert "autofocus" not in section


def test_the_rows_revoke_is_a_button_named_with_the_prefix(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Zapier integration")
    html = unescape(console.get(KEYS_URL).content.decode())
    assert (
        f'aria-label="Revoke Zapier integration ({api_key.display_prefix}…)">Revoke…</button>'
        in html
    )


def test_a_paused_key_says_paused_and_can_still_be_revoked(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Spending paused")
    ApiKey.objects.filter(pk=api_key.pk).update(paused_at=timezone.now())

    html = console.get(KEYS_URL).content.decode()

    row = html[html.index(f'id="key-{api_key.pk}"') :]
    row = row[: row.index("</tr>")]
    assert ">Paused</span>" in row
    assert "Revoke…" in row
