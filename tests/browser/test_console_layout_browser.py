"""The console's layout and accessibility, in real Chromium: the key table at every width from
phone to wide screen, and an axe-core pass on every page in light and dark, with and without
JavaScript."""

from __future__ import annotations

import re
from typing import Any, Literal

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from apikeys import services
from clipia_console.billing import credits
from tests.browser.support import (
    BROWSER_TEST,
    KEYS_PATH,
    accessibility_violations,
    close_page,
    fill_create_form,
    horizontal_overflow,
    open_page,
    save_screenshot,
    sign_in,
)
from tests.support import MakeKey

pytestmark = [
    *BROWSER_TEST,
    pytest.mark.page_options(bypass_csp=True),  # to inject axe
]


WIDTHS = (320, 375, 768, 1024, 1180, 1440, 2560)


def test_the_key_table_fits_every_width_from_phone_to_wide_screen(
    page: Page, alice: User, make_key: MakeKey
) -> None:
    make_key(
        alice, "live", name="A very long key name for the integration that bills our customers"
    )
    old, _ = make_key(alice, "live", name="Old laptop")
    services.revoke_key(old, actor=services.Actor.command("revokeapikey"))
    make_key(alice, "test", name="CI", scopes=("read",))
    sign_in(page)
    fill_create_form(page, "Shown once")
    expect(page.locator("#key-list .key-name")).to_have_count(4)  # the swap is done

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert horizontal_overflow(page) == 0, f"the page scrolls sideways at {width} px"
        for button in page.get_by_role("button", name=re.compile("^Revoke ")).all():
            box = button.bounding_box()
            assert box is not None
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"off-screen at {width}"


def audit(page: Page, where: str) -> list[str]:
    return [f"{where}: {line}" for line in accessibility_violations(page)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_console_page_passes_axe_with_javascript(
    page: Page, alice: User, make_key: MakeKey, scheme: Literal["light", "dark"]
) -> None:
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")  # no half-faded text
    credits.grant(alice, 1400, reason="test")
    used, used_raw = make_key(alice, "live", name="Production server")
    old, _ = make_key(alice, "test", name="Old laptop")
    services.revoke_key(
        old, actor=services.Actor.person(alice, owner_id=alice.pk, client_address=None)
    )
    found: list[str] = []
    page.goto("/accounts/login/")
    found += audit(page, "sign-in")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    found += audit(page, "sign-in error")
    sign_in(page)
    assert page.request.get("/v1/account", headers={"Authorization": f"Bearer {used_raw}"}).ok
    page.reload()
    found += audit(page, "list")
    fill_create_form(page, "")
    expect(page.locator("#name-error")).to_be_visible()
    found += audit(page, "invalid create")
    fill_create_form(page, "New live key", "live")
    expect(page.locator("#new-key")).to_be_visible()
    found += audit(page, "new key")
    if scheme == "dark":
        save_screenshot(page, "api-keys-dark")
    page.get_by_role("button", name="Revoke Production server").click()
    expect(page.locator("dialog.dialog")).to_be_visible()
    found += audit(page, "revoke dialog")
    page.locator("dialog.dialog").get_by_role("button", name="Cancel").click()
    page.goto(f"{KEYS_PATH}{used.pk}/revoke/")
    found += audit(page, "revoke confirmation")
    if scheme == "light":
        save_screenshot(page, "api-keys-revoke-confirm")
    page.goto(f"{KEYS_PATH}{old.pk}/revoke/")
    found += audit(page, "already revoked")
    page.goto("/developer/nothing-here/")
    found += audit(page, "not found")
    assert found == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_console_page_passes_axe_without_javascript(
    browser: Browser,
    live_server: Any,
    alice: User,
    make_key: MakeKey,
    scheme: Literal["light", "dark"],
) -> None:
    # axe needs JavaScript; the page's own scripts stay off (CSP-style: bypass only ours).
    page = open_page(browser, live_server, color_scheme=scheme, bypass_csp=True)
    page.route("**/static/**/*.js", lambda route: route.abort())
    try:
        api_key, _ = make_key(alice, "live", name="Production server")
        found: list[str] = []
        sign_in(page)
        found += audit(page, "list")
        fill_create_form(page, "No-JS key")
        expect(page.locator("#new-key")).to_be_visible()
        found += audit(page, "new key")
        page.goto(f"{KEYS_PATH}{api_key.pk}/revoke/")
        found += audit(page, "revoke confirmation")
        assert found == []
    finally:
        close_page(page)
