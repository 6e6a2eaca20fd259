"""The console at the moments that matter, in real Chromium: failed and interrupted
revokes and creates (with DEBUG's django-htmx script too), every width from phone to
wide screen, the shown-once panel's lifecycle, and an axe-core accessibility pass on
every page in light and dark."""

from __future__ import annotations

import re
from typing import Any, Literal

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from apikeys import services
from apikeys.models import ApiKey
from clipia_console.billing import credits
from tests.browser.support import (
    KEYS_PATH,
    accessibility_violations,
    close_page,
    fill_create_form,
    horizontal_overflow,
    open_page,
    save_screenshot,
    sign_in,
)
from tests.support import FULL_KEY, PASSWORD, MakeKey

pytestmark = [
    pytest.mark.browser,
    pytest.mark.page_options(bypass_csp=True),  # to inject axe
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (320, 375, 768, 1024, 1180, 1440, 2560)


def make_keys(alice: User, make_key: MakeKey, count: int) -> list[ApiKey]:
    """``count`` keys, newest first as the list shows them."""
    keys = [make_key(alice, name=f"Worker {number}")[0] for number in range(count)]
    return keys[::-1]


def revoke_in_dialog(page: Page, name: str) -> None:
    page.get_by_role("button", name=f"Revoke {name}").click()
    page.locator("dialog.dialog").get_by_role("button", name="Revoke key").click()


# A revoke or create that fails is shown where it happened


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


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_refused_create_keeps_what_was_typed_and_says_so_in_the_form(
    page: Page, alice: User, settings: Any, debug: bool
) -> None:
    settings.DEBUG = debug
    sign_in(page)
    page.context.clear_cookies(name="csrftoken")

    fill_create_form(page, "Keep what I typed", "live")

    failure = page.locator("form.create-form").get_by_role("alert")
    expect(failure).to_contain_text("The key was not created")
    expect(failure).to_be_focused()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Keep what I typed")
    expect(page.locator("input[name=environment][value=live]")).to_be_checked()
    assert ApiKey.objects.count() == 0

    failure.get_by_role("link", name="Reload, keeping what you typed").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Keep what I typed")
    fill_create_form(page, "Keep what I typed", "live")
    expect(page.locator("#new-key")).to_be_visible()


def test_a_signed_out_create_comes_back_with_what_was_typed(page: Page, alice: User) -> None:
    sign_in(page)
    page.context.clear_cookies(name="sessionid")

    fill_create_form(page, "Typed before signing in", "live")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Typed before signing in")
    expect(page.locator("input[name=environment][value=live]")).to_be_checked()
    assert ApiKey.objects.count() == 0


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


# The shown-once panel


def test_done_clears_the_secret_and_another_create_asks_first(page: Page, alice: User) -> None:
    sign_in(page)
    fill_create_form(page, "First", "live")
    expect(page.locator("#new-key")).to_contain_text("Live: spends your credits (balance")
    expect(page.locator("input[name=environment][value=live]")).to_be_checked()  # kept

    fill_create_form(page, "Second", "live")
    dialog = page.locator("dialog.dialog")
    expect(dialog).to_contain_text("Your new key is still on the page.")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Cancel").click()
    assert ApiKey.objects.filter(owner=alice).count() == 1
    expect(page.locator("#new-key")).to_contain_text("First")

    page.get_by_role("button", name="Done, I've stored it").click()
    expect(page.locator("#new-key")).to_have_count(0)
    assert FULL_KEY.search(page.content()) is None
    expect(page.get_by_label("Name", exact=True)).to_be_focused()

    fill_create_form(page, "Second", "live")
    expect(page.locator("#new-key")).to_contain_text("Second")  # nothing left to ask about
    assert ApiKey.objects.filter(owner=alice).count() == 2


def test_without_javascript_done_reloads_the_list_without_the_key(
    nojs_page: Page, alice: User
) -> None:
    page = nojs_page
    sign_in(page)
    fill_create_form(page, "No-JS done")
    raw_key = page.locator("#new-key-value").input_value()

    page.get_by_role("button", name="Done, I've stored it").click()

    expect(page).to_have_url(re.compile(f"{KEYS_PATH}\\??$"))
    expect(page.locator("#key-list .key-name")).to_have_text(["No-JS done"])
    assert raw_key not in page.content()


def test_reloading_the_create_response_without_javascript_mints_no_second_key(
    nojs_page: Page, alice: User
) -> None:
    page = nojs_page
    sign_in(page)
    fill_create_form(page, "Once only")
    raw_key = page.locator("#new-key-value").input_value()

    page.reload()  # the browser re-POSTs the form

    expect(page.get_by_role("alert")).to_contain_text(
        "This form was already used — your key was created and shown once"
    )
    assert ApiKey.objects.filter(owner=alice).count() == 1
    assert raw_key not in page.content()
    assert FULL_KEY.search(page.content()) is None


def test_creating_from_page_two_shows_page_one_at_its_own_address(
    page: Page, alice: User, make_key: MakeKey
) -> None:
    make_keys(alice, make_key, 21)
    sign_in(page)
    page.get_by_role("link", name="Older →").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))

    fill_create_form(page, "From page two")

    expect(page.locator("#key-list .key-name").first).to_have_text("From page two")
    expect(page).to_have_url(re.compile(f"{KEYS_PATH}$"))
    expect(page.locator(".pager-status")).to_have_text("Page 1 of 2")


# Every width


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


# Accessibility: axe-core, zero violations, light and dark


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
