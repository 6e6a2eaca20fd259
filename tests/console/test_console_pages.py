"""The console's pages as pages: no inline script or style (the CSP holds), static htmx,
labelled fields, the credit balance and what each environment and scope says."""

from __future__ import annotations

import re
from html import unescape

from django.contrib.auth.models import User
from django.test import Client

from clipia_console.billing import credits
from tests.console.helpers import HTMX, KEYS_URL, create, revoke_url
from tests.support import MakeKey


def pages(console: Client, alice: User, make_key: MakeKey) -> dict[str, str]:
    api_key, _ = make_key(alice, "live")
    revoked, _ = make_key(alice, name="revoked")
    console.post(revoke_url(revoked))
    return {
        "sign-in": Client().get("/accounts/login/").content.decode(),
        "list": console.get(KEYS_URL).content.decode(),
        "new key": create(console).content.decode(),
        "new key (htmx)": create(console, headers=HTMX).content.decode(),
        "invalid": create(console, name="").content.decode(),
        "confirm": console.get(revoke_url(api_key)).content.decode(),
        "revoked row": console.post(revoke_url(api_key), headers=HTMX).content.decode(),
    }


def test_pages_have_no_inline_script_style_or_handlers_so_the_csp_holds(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    for name, html in pages(console, alice, make_key).items():
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
        assert not re.search(r"<style\b", html), name
        assert not re.search(r"\sstyle=", html), name
        assert not re.search(r"\son[a-z]+=", html), name
        assert "hx-on" not in html, name


def test_pages_load_htmx_and_our_script_from_our_static_files(console: Client) -> None:
    html = console.get(KEYS_URL).content.decode()
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert any(re.fullmatch(r"/static/django_htmx/htmx-2\.min\.js", src) for src in sources)
    assert "/static/console/console.js" in sources
    assert all(src.startswith("/static/") for src in sources)


def test_the_create_form_fields_are_labelled(console: Client) -> None:
    html = console.get(KEYS_URL).content.decode()
    assert '<label for="id_name">Name</label>' in html
    assert "<legend>Environment</legend>" in html
    assert "<legend>Scopes</legend>" in html
    assert '<button type="submit" class="button button-primary">Create key</button>' in html


def test_the_header_shows_the_credit_balance(console: Client, alice: User) -> None:
    credits.grant(alice, 1400, reason="test")
    html = console.get(KEYS_URL).content.decode()
    assert re.search(r"Credits</span> <strong>1\u202f400</strong>", html)


def test_a_live_keys_panel_says_it_spends_credits_and_a_test_keys_that_it_does_not(
    console: Client, alice: User
) -> None:
    credits.grant(alice, 1400, reason="test")
    live = create(console, environment="live").content.decode()
    test = create(console, environment="test").content.decode()
    assert "Live: spends your credits (balance 1\u202f400)." in live
    assert "Test: runs in the sandbox and charges nothing." in test


def test_each_scope_says_what_it_grants(console: Client) -> None:
    html = unescape(console.get(KEYS_URL).content.decode())
    assert (
        "Lets the key read usage (GET /v1/usage). Every key can read its own generations, "
        "the account and the catalog." in html
    )
    assert "Start generations with POST /v1/models/" in html
