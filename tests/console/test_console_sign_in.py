"""The console behind its sign-in: signed-out visitors (full pages and htmx) are sent to sign
in and come back to what they were doing; the site root and the tab bar; signing out."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey
from tests.console.helpers import HTMX, KEYS_URL, create, revoke_url
from tests.support import PASSWORD, MakeKey


def test_anonymous_visitors_are_sent_to_sign_in_and_come_back(alice: User) -> None:
    client = Client()
    response = client.get(KEYS_URL)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={KEYS_URL}"

    signed_in = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": KEYS_URL}
    )

    assert signed_in.status_code == 302
    assert signed_in["Location"] == KEYS_URL
    assert client.get(KEYS_URL).status_code == 200


@pytest.mark.parametrize("url", [KEYS_URL, f"{KEYS_URL}1/revoke/"])
def test_every_console_page_requires_sign_in(db: Any, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_an_htmx_request_after_the_session_ended_sends_the_browser_to_sign_in(
    alice: User,
) -> None:
    headers = {**HTMX, "HX-Current-URL": f"http://testserver{KEYS_URL}?page=2"}

    response = Client().get(KEYS_URL, headers=headers)

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/developer/api-keys/%3Fpage%3D2"
    assert response.content == b""


def test_a_signed_out_revoke_comes_back_to_that_keys_confirmation_and_says_why(
    alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Zapier integration")
    client = Client()
    headers = {**HTMX, "HX-Current-URL": f"http://testserver{KEYS_URL}?page=2"}

    response = client.post(revoke_url(api_key), {"key_name": "Zapier integration"}, headers=headers)

    assert response["HX-Redirect"] == f"/accounts/login/?next={revoke_url(api_key)}"
    sign_in_page = client.get(response["HX-Redirect"]).content.decode()
    assert "Sign in to finish revoking “Zapier integration”." in sign_in_page
    signed_in = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "next": revoke_url(api_key)},
    )
    assert signed_in["Location"] == revoke_url(api_key)
    confirmation = client.get(revoke_url(api_key)).content.decode()
    assert "Revoke “Zapier integration”?" in confirmation
    api_key.refresh_from_db()
    assert api_key.revoked_at is None  # the user confirms once more; nothing was replayed
    assert "finish revoking" not in client.get("/accounts/login/").content.decode()


def test_a_signed_out_revoke_without_javascript_comes_back_to_its_confirmation(
    alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Old laptop")
    client = Client()

    response = client.post(revoke_url(api_key), {"key_name": "Old laptop"})

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={revoke_url(api_key)}"
    assert (
        "Sign in to finish revoking “Old laptop”."
        in client.get(response["Location"]).content.decode()
    )


def test_the_sign_in_page_never_names_a_key_from_the_database(
    alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Secret project")
    client = Client()

    client.post(revoke_url(api_key), headers=HTMX)  # a stranger, naming no key

    page = client.get(f"/accounts/login/?next={revoke_url(api_key)}").content.decode()
    assert "Secret project" not in page
    assert "Sign in to finish revoking the key." in page


def test_a_signed_out_create_comes_back_with_what_was_typed(alice: User) -> None:
    client = Client()

    response = create(
        client, headers=HTMX, name="Zapier integration", environment="live", scopes=["read"]
    )

    next_url = response["HX-Redirect"].split("next=", 1)[1]
    client.force_login(alice)
    page = client.get(unquote(next_url)).content.decode()
    assert 'value="Zapier integration"' in page
    assert re.search(r'value="live"[^>]*checked', page)
    assert not re.search(r'value="generate"[^>]*checked', page)
    assert ApiKey.objects.count() == 0


def test_the_site_root_leads_to_the_console(db: Any) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/developer/"


def test_the_console_opens_on_its_first_tab_api_keys(console: Client) -> None:
    response = console.get("/developer/")
    assert response.status_code == 302
    assert response["Location"] == KEYS_URL


def test_the_api_keys_tab_is_first_in_the_tab_bar_and_marked_current(console: Client) -> None:
    html = console.get(KEYS_URL).content.decode()
    tab_bar = html[html.index('aria-label="Developer console"') :]
    tab_bar = tab_bar[: tab_bar.index("</nav>")]
    tabs = re.findall(r'<a class="tab" href="([^"]+)"( aria-current="page")?>([^<]+)</a>', tab_bar)
    assert tabs[0] == (KEYS_URL, ' aria-current="page"', "API Keys")


def test_signing_out_ends_the_session(console: Client) -> None:
    response = console.post("/accounts/logout/")
    assert response.status_code == 302
    assert console.get(KEYS_URL).status_code == 302


def test_a_signed_out_create_with_nothing_typed_comes_back_to_the_plain_list(db: Any) -> None:
    response = Client().post(KEYS_URL, {})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={KEYS_URL}"
