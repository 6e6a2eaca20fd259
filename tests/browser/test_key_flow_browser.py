"""The API Keys tab's main flow in real Chromium: sign in, create, copy, use, revoke (then
401), cancelling the revoke dialog, the whole flow without JavaScript and by keyboard alone,
and no key after reloading. These tests also write the README's screenshots."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from apikeys.models import ApiKey
from clipia_console.billing import credits
from tests.browser.support import (
    BROWSER_TEST,
    KEYS_PATH,
    fill_create_form,
    save_screenshot,
    sign_in,
    v1_account_status,
)
from tests.support import FULL_KEY, MakeKey

pytestmark = [
    *BROWSER_TEST,
    pytest.mark.page_options(permissions=["clipboard-read", "clipboard-write"]),
]


def test_sign_in_create_copy_use_revoke_then_401(page: Page, alice: User) -> None:
    credits.grant(alice, 1400, reason="test")
    sign_in(page)
    expect(page.get_by_text("No API keys yet")).to_be_visible()
    save_screenshot(page, "api-keys-empty")
    page.evaluate("window.stillTheSamePage = true")

    fill_create_form(page, "Production server", "live")

    panel = page.locator("#new-key")
    expect(panel).to_be_visible()
    expect(panel).to_be_focused()
    expect(panel).to_contain_text("Store it now; it will not be shown again.")
    expect(panel).to_contain_text("Live: spends your credits (balance 1\u202f400).")
    expect(page.locator("#key-list .key-name")).to_have_text(["Production server"])
    expect(page.locator("#announcer")).to_contain_text("Key “Production server” created.")
    raw_key = page.locator("#new-key-value").input_value()
    assert FULL_KEY.fullmatch(raw_key) and raw_key.startswith("clipia_live_")
    assert page.evaluate("window.stillTheSamePage") is True  # swapped in, no page load
    save_screenshot(page, "api-keys-new-key")

    page.get_by_role("button", name="Copy key").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == raw_key
    assert v1_account_status(page, raw_key) == 200

    api_key = ApiKey.objects.get(owner=alice)
    page.get_by_role("button", name="Revoke Production server").click()
    dialog = page.locator("dialog.dialog")
    expect(dialog).to_contain_text("Revoke “Production server”?")
    dialog.get_by_role("button", name="Revoke key").click()

    row = page.locator(f"#key-{api_key.pk}")
    expect(row).to_have_class(re.compile(r"\bis-revoked\b"))
    expect(row).to_contain_text("by you")
    expect(row).to_be_focused()  # its Revoke button is gone; focus stays on the row
    expect(page.locator("#announcer")).to_contain_text("Revoked “Production server”.")
    assert page.evaluate("window.stillTheSamePage") is True
    assert v1_account_status(page, raw_key) == 401
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_cancelling_the_revoke_dialog_keeps_the_key(
    page: Page, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice, name="Staging worker")
    sign_in(page)

    page.get_by_role("button", name="Revoke Staging worker").click()
    page.locator("dialog.dialog").get_by_role("button", name="Cancel").click()

    expect(page.locator("dialog.dialog")).to_be_hidden()
    expect(page.locator(f"#key-{api_key.pk}")).to_contain_text("Active")
    api_key.refresh_from_db()
    assert api_key.revoked_at is None
    assert v1_account_status(page, raw_key) == 200


def test_the_whole_flow_works_without_javascript(nojs_page: Page, alice: User) -> None:
    page = nojs_page
    sign_in(page)

    fill_create_form(page, "No-JS server")

    panel = page.locator("#new-key")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Store it now; it will not be shown again.")
    expect(page.get_by_role("button", name="Copy key")).to_be_hidden()  # needs JS to work
    raw_key = page.locator("#new-key-value").input_value()
    assert FULL_KEY.fullmatch(raw_key) and raw_key.startswith("clipia_test_")
    assert v1_account_status(page, raw_key) == 200

    page.get_by_role("button", name="Revoke No-JS server").click()
    expect(page).to_have_url(re.compile(r"/developer/api-keys/\d+/revoke/\??$"))
    expect(page.get_by_role("heading", name="Revoke “No-JS server”?")).to_be_visible()
    page.get_by_role("button", name="Revoke key").click()

    expect(page).to_have_url(re.compile(f"{KEYS_PATH}$"))
    expect(page.locator(".flash")).to_contain_text("Revoked “No-JS server”.")
    expect(page.locator(".key-row.is-revoked")).to_contain_text("No-JS server")
    assert FULL_KEY.search(page.content()) is None
    assert v1_account_status(page, raw_key) == 401
    assert ApiKey.objects.get(owner=alice).revoked_at is not None


def test_reloading_or_coming_back_after_creating_shows_no_key(page: Page, alice: User) -> None:
    sign_in(page)
    fill_create_form(page, "Shown once")
    raw_key = page.locator("#new-key-value").input_value()
    assert FULL_KEY.fullmatch(raw_key)

    page.reload()
    expect(page.locator("#key-list .key-name")).to_have_text(["Shown once"])
    assert page.locator("#new-key").count() == 0
    assert raw_key not in page.content()

    page.goto("/developer/")
    page.go_back()
    expect(page.locator("#key-list .key-name")).to_have_text(["Shown once"])
    assert raw_key not in page.content()


def test_the_keyboard_alone_creates_and_copies_a_key(page: Page, alice: User) -> None:
    sign_in(page)
    name = page.get_by_label("Name")
    for _ in range(20):
        if name.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(name).to_be_focused()

    page.keyboard.type("Keyboard key")
    page.keyboard.press("Enter")

    expect(page.locator("#new-key")).to_be_focused()
    raw_key = page.locator("#new-key-value").input_value()
    page.keyboard.press("Tab")
    expect(page.locator("#new-key-value")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Copy key")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == raw_key
