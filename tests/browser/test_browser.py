"""The API Keys tab in real Chromium (Playwright): with htmx, without JavaScript, by
keyboard, at phone width, and under the console's Content-Security-Policy. These tests
also write the README's screenshots to docs/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from apikeys import services
from apikeys.models import ApiKey
from clipia_console.billing import credits
from tests.browser.support import (
    KEYS_PATH,
    close_page,
    fill_create_form,
    open_page,
    save_screenshot,
    sign_in,
)
from tests.support import FULL_KEY, PASSWORD, MakeKey

# live_server needs committed rows (transaction=True). serialized_rollback: each test
# starts from the migrated data (the seeded model catalog), and the flush after it skips
# post_migrate, so a following serialized test can restore content types without clashing.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.page_options(permissions=["clipboard-read", "clipboard-write"]),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def v1_account_status(page: Page, raw_key: str) -> int:
    response = page.request.get("/v1/account", headers={"Authorization": f"Bearer {raw_key}"})
    return response.status


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


def test_invalid_input_shows_the_field_message_in_place(page: Page, alice: User) -> None:
    sign_in(page)
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Create key").click()

    expect(page.locator("#name-error")).to_have_text("Give the key a name.")
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("window.stillTheSamePage") is True
    assert ApiKey.objects.filter(owner=alice).count() == 0


def test_a_refused_htmx_request_is_explained_not_silent(page: Page, alice: User) -> None:
    sign_in(page)
    page.context.clear_cookies(name="csrftoken")  # the POST's token no longer matches

    fill_create_form(page, "Refused")

    expect(page.get_by_role("alert")).to_contain_text("security token expired")
    assert ApiKey.objects.filter(owner=alice).count() == 0


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


def test_the_list_shows_badges_usage_and_revoked_keys_distinctly(
    page: Page, alice: User, make_key: MakeKey
) -> None:
    used, used_raw = make_key(alice, "live", name="Production server")
    make_key(alice, "test", name="CI smoke tests", scopes=("read",))
    old, _ = make_key(alice, "live", name="Old laptop")
    services.revoke_key(
        old, actor=services.Actor.person(alice, owner_id=alice.pk, client_address=None)
    )
    make_key(alice, "test", name="Staging worker")
    credits.grant(alice, 1400, reason="test")
    sign_in(page)
    assert v1_account_status(page, used_raw) == 200
    page.reload()

    expect(page.locator("#key-list .key-name")).to_have_text(
        ["Staging worker", "Old laptop", "CI smoke tests", "Production server"]
    )
    expect(page.locator(".badge-live")).to_have_count(2)
    expect(page.locator(".badge-test")).to_have_count(2)
    expect(page.locator(f"#key-{old.pk}")).to_have_class(re.compile(r"\bis-revoked\b"))
    expect(page.locator(f"#key-{old.pk}")).to_contain_text("by you")
    expect(page.locator(f"#key-{used.pk} .col-used")).not_to_contain_text("never")
    save_screenshot(page, "api-keys-list")


def test_it_is_usable_at_phone_width(browser: Browser, live_server: Any, alice: User) -> None:
    page = open_page(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    try:
        sign_in(page)
        fill_create_form(page, "Phone key", "live")
        expect(page.locator("#new-key")).to_be_visible()
        fill_create_form(page, "Second phone key")
        page.locator("dialog.dialog").get_by_role("button", name="Create another key").click()
        expect(page.locator("#key-list .key-name")).to_have_count(2)

        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        save_screenshot(page, "api-keys-phone")
    finally:
        close_page(page)


def test_the_console_runs_under_its_content_security_policy(
    browser: Browser, live_server: Any, alice: User
) -> None:
    page = open_page(browser, live_server, permissions=["clipboard-read", "clipboard-write"])
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        response = page.goto("/accounts/login/")
        assert response is not None
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        fill_create_form(page, "Under CSP")
        expect(page.locator("#new-key")).to_be_focused()
        page.get_by_role("button", name="Copy key").click()
        expect(page.get_by_role("button", name="Copied")).to_be_visible()
        page.get_by_role("button", name="Revoke Under CSP").click()
        page.locator("dialog.dialog").get_by_role("button", name="Revoke key").click()
        expect(page.locator(".key-row.is-revoked")).to_have_count(1)
        assert violations == []
    finally:
        close_page(page)


def test_the_sign_in_page(page: Page, alice: User) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_label("Username")).to_be_focused()
    save_screenshot(page, "sign-in")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
