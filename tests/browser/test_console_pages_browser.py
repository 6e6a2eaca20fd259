"""The API Keys tab's pages in real Chromium: field messages in place, refused htmx requests
explained, list badges, phone width, the Content-Security-Policy and the sign-in page.
These tests also write the README's screenshots."""

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
    BROWSER_TEST,
    close_page,
    fill_create_form,
    open_page,
    save_screenshot,
    sign_in,
    v1_account_status,
)
from tests.support import PASSWORD, MakeKey

pytestmark = [
    *BROWSER_TEST,
    pytest.mark.page_options(permissions=["clipboard-read", "clipboard-write"]),
]


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
