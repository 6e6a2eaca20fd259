"""Revoking in the console, in real Chromium: a revoke refused for an expired token or
interrupted by signing out (with DEBUG's django-htmx script too), without JavaScript, the
pending state and the confirmation dialog."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser.support import (
    BROWSER_TEST,
    make_keys,
    save_screenshot,
    sign_in,
)
from tests.support import PASSWORD, MakeKey

pytestmark = [
    *BROWSER_TEST,
    pytest.mark.page_options(bypass_csp=True),  # to inject axe
]


def revoke_in_dialog(page: Page, name: str) -> None:
    page.get_by_role("button", name=f"Revoke {name}").click()
    page.locator("dialog.dialog").get_by_role("button", name="Revoke key").click()


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_revoke_refused_for_an_expired_token_shows_in_its_row_and_takes_focus(
    page: Page, alice: User, make_key: MakeKey, settings: Any, debug: bool
) -> None:
    settings.DEBUG = debug  # in DEBUG the page also loads django-htmx's error script
    keys = make_keys(alice, make_key, 8)
    lowest = keys[-1]
    sign_in(page)
    assert (page.locator("script[src*='django-htmx']").count() == 1) is debug
    page.context.clear_cookies(name="csrftoken")  # the POST's token no longer matches

    revoke_in_dialog(page, lowest.name)

    row = page.locator(f"#key-{lowest.pk}")
    failure = row.get_by_role("alert")
    expect(failure).to_contain_text("Not revoked: your session or its security token expired.")
    expect(failure).to_be_focused()
    expect(failure).to_be_in_viewport()
    expect(row).to_contain_text("Active")
    expect(page.get_by_role("heading", name="Developers")).to_be_visible()  # still the console
    lowest.refresh_from_db()
    assert lowest.revoked_at is None

    failure.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", name=f"Revoke “{lowest.name}”?")).to_be_visible()


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_signed_out_revoke_comes_back_to_that_keys_confirmation(
    page: Page, alice: User, make_key: MakeKey, settings: Any, debug: bool
) -> None:
    settings.DEBUG = debug
    api_key, raw_key = make_key(alice, "live", name="Zapier integration")
    sign_in(page)
    page.context.clear_cookies(name="sessionid")  # the session ended meanwhile

    revoke_in_dialog(page, "Zapier integration")

    expect(page.get_by_role("status").first).to_contain_text(
        "Sign in to finish revoking “Zapier integration”."
    )
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/developer/api-keys/{api_key.pk}/revoke/$"))
    expect(page.get_by_role("heading", name="Revoke “Zapier integration”?")).to_be_visible()
    expect(page.locator("main")).to_contain_text(api_key.display_prefix)
    expect(page.get_by_role("button", name="Revoke key")).not_to_be_focused()
    api_key.refresh_from_db()
    assert api_key.revoked_at is None  # not until confirmed

    page.get_by_role("button", name="Revoke key").click()
    expect(page.locator(".flash")).to_contain_text("Revoked “Zapier integration”.")
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert raw_key not in page.content()


def test_without_javascript_an_expired_token_says_nothing_was_changed(
    nojs_page: Page, alice: User, make_key: MakeKey
) -> None:
    page = nojs_page
    api_key, _ = make_key(alice, name="Old laptop")
    sign_in(page)
    page.get_by_role("button", name="Revoke Old laptop").click()
    page.context.clear_cookies(name="csrftoken")

    page.get_by_role("button", name="Revoke key").click()

    expect(page.get_by_role("heading", name="Nothing was changed")).to_be_visible()
    page.get_by_role("link", name="Back to API keys").click()
    expect(page.locator(f"#key-{api_key.pk}")).to_contain_text("Active")
    api_key.refresh_from_db()
    assert api_key.revoked_at is None


def test_revoking_shows_a_pending_state_then_the_revoked_row(
    page: Page, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="Slow network")
    sign_in(page)
    page.evaluate(
        """() => {
          window.seen = [];
          new MutationObserver(() => {
            const button = document.querySelector("#key-list tbody button");
            const row = document.querySelector("#key-list tbody tr");
            if (button) window.seen.push([button.textContent, row.getAttribute("aria-busy")]);
          }).observe(document.getElementById("key-list"),
                     {subtree: true, childList: true, characterData: true, attributes: true});
        }"""
    )

    revoke_in_dialog(page, "Slow network")

    expect(page.locator(f"#key-{api_key.pk}")).to_contain_text("by you")
    assert ["Revoking…", "true"] in page.evaluate("window.seen")


def test_the_revoke_dialog_says_which_key_and_focuses_cancel(
    page: Page, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "live", name="Billing worker")
    sign_in(page)

    button = page.get_by_role("button", name=f"Revoke Billing worker ({api_key.display_prefix}…)")
    button.click()

    dialog = page.locator("dialog.dialog")
    expect(dialog).to_contain_text("Revoke “Billing worker”?")
    expect(dialog).to_contain_text(f"Live key {api_key.display_prefix}…")
    expect(dialog).to_contain_text("last used never")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    save_screenshot(page, "api-keys-revoke-dialog", full_page=False)
