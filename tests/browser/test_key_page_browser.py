"""The key page in real Chromium: htmx swaps the settings in place, under the console's
Content-Security-Policy."""

from __future__ import annotations

import re
from typing import Any, Literal

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from apikeys.audit import Actor
from clipia_console.billing import budget_settings
from clipia_console.generations import services as generations
from clipia_console.generations.models import VideoModel
from tests.browser.support import (
    BROWSER_TEST,
    accessibility_violations,
    close_page,
    open_page,
    save_screenshot,
)
from tests.support import PASSWORD, MakeKey

pytestmark = [
    *BROWSER_TEST,
]


def test_budget_and_pause_change_in_place_under_the_csp(
    page: Page, alice: User, make_key: MakeKey
) -> None:
    key, _ = make_key(alice, "test", name="staging")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    key_path = f"/developer/api-keys/{key.pk}/"
    page.goto(key_path)
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(f"{key_path}$"))

    page.get_by_label("Budget (credits)").fill("50")
    page.get_by_label("Per", exact=True).select_option("day")
    page.get_by_role("button", name="Save budget").click()
    expect(page.get_by_text("Budget saved.")).to_be_visible()
    expect(page.get_by_text("of 50 credits spent today")).to_be_visible()

    page.get_by_role("button", name="Pause spending").click()
    expect(page.get_by_role("button", name="Resume spending")).to_be_visible()
    expect(page.get_by_role("img", name="Credits per day, last 30 days")).to_be_visible()
    expect(page).to_have_url(re.compile(f"{key_path}$"))
    key.refresh_from_db()
    assert key.paused_at is not None
    assert violations == []


@pytest.mark.usefixtures("catalog")
def test_the_key_page_and_the_usage_tab_show_what_a_key_spent(
    page: Page, alice: User, make_key: MakeKey
) -> None:
    key, _ = make_key(alice, "test", name="Render server")
    budget_settings.set_budget(key, 100, "day", actor=Actor.command("tests"))
    model = VideoModel.objects.get(pk="clipia/motion-v1")  # 20 credits, as it would live
    for prompt in ("a kite", "a fox in the snow", "waves at dusk"):
        generations.create(api_key=key, model=model, prompt=prompt, params={})
    page.goto("/accounts/login/?next=" + f"/developer/api-keys/{key.pk}/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("of 100 credits spent today")).to_be_visible()
    expect(page.get_by_role("img", name="Credits per day, last 30 days")).to_be_visible()
    save_screenshot(page, "api-key-page")
    page.goto("/developer/usage/")
    expect(page.get_by_role("rowheader", name=re.compile("Render server"))).to_be_visible()
    save_screenshot(page, "usage-tab")


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_key_page_and_the_usage_tab_pass_axe(
    browser: Browser,
    live_server: Any,
    alice: User,
    make_key: MakeKey,
    scheme: Literal["light", "dark"],
) -> None:
    # axe is injected as a script: the test's own, so the page's CSP is bypassed for it.
    page = open_page(browser, live_server, color_scheme=scheme, bypass_csp=True)
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    key, _ = make_key(alice, "test", name="Render server")
    budget_settings.set_budget(key, 100, "day", actor=Actor.command("tests"))
    model = VideoModel.objects.get(pk="clipia/motion-v1")
    generations.create(api_key=key, model=model, prompt="a kite", params={})
    try:
        page.goto("/accounts/login/?next=" + f"/developer/api-keys/{key.pk}/")
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("of 100 credits spent today")).to_be_visible()

        found = accessibility_violations(page)
        page.goto("/developer/usage/")
        found += accessibility_violations(page)
    finally:
        close_page(page)

    assert found == []


def sign_in_at(page: Page, path: str) -> None:
    page.goto(path)
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(f"{path}$"))


@pytest.mark.parametrize(
    ("action", "failure"),
    [
        ("Pause spending", "Not paused"),
        ("Save budget", "Budget not saved"),
        ("Save addresses", "Addresses not saved"),
    ],
)
def test_a_key_page_action_refused_for_an_expired_token_fails_in_place_and_takes_focus(
    page: Page, alice: User, make_key: MakeKey, action: str, failure: str
) -> None:
    """Issue 17: on the page that says "Pause first if the key may have leaked", a refused
    pause showed its error ~660 px above the screen and left focus on the button."""
    key, _ = make_key(alice, "live", name="staging")
    sign_in_at(page, f"/developer/api-keys/{key.pk}/")
    page.context.clear_cookies(name="csrftoken")  # the POST's token no longer matches

    page.get_by_role("button", name=action).click()

    alert = page.locator("#key-settings").get_by_role("alert")
    expect(alert).to_contain_text(f"{failure}: your session or its security token expired.")
    expect(alert).to_be_focused()
    expect(alert).to_be_in_viewport()
    expect(page.locator("#key-status")).to_contain_text("Active")
    key.refresh_from_db()
    assert key.paused_at is None and key.budget_credits is None

    alert.get_by_role("link", name="Reload the page and try again").click()
    page.get_by_role("button", name=action).click()
    page.wait_for_load_state("networkidle")  # the retried request has been answered
    expect(page.locator("#key-settings").get_by_role("alert")).to_have_count(0)


def test_a_pause_changes_every_place_that_shows_the_state_and_keeps_focus_there(
    page: Page, alice: User, make_key: MakeKey
) -> None:
    key, _ = make_key(alice, "live", name="staging")
    sign_in_at(page, f"/developer/api-keys/{key.pk}/")
    expect(page.locator("#key-status")).to_contain_text("Active")

    page.get_by_role("button", name="Pause spending").click()

    expect(page.locator("#key-status")).to_contain_text("Paused")
    confirmation = page.locator("#key-settings").get_by_role("status")
    expect(confirmation).to_be_focused()
    expect(confirmation).to_be_in_viewport()
    page.get_by_role("button", name="Resume spending").click()
    expect(page.locator("#key-status")).to_contain_text("Active")
    expect(page.locator("#key-settings").get_by_role("status")).to_be_focused()


def test_without_javascript_a_pause_shows_the_new_state_on_the_page(
    nojs_page: Page, alice: User, make_key: MakeKey
) -> None:
    key, _ = make_key(alice, "live", name="staging")
    sign_in_at(nojs_page, f"/developer/api-keys/{key.pk}/")

    nojs_page.get_by_role("button", name="Pause spending").click()

    expect(nojs_page.locator("#key-status")).to_contain_text("Paused")
    expect(nojs_page.get_by_role("button", name="Resume spending")).to_be_visible()
