"""Creating in the console, in real Chromium: a refused or signed-out create keeps what was
typed, the shown-once panel's lifecycle (done, reload without JavaScript) and creating from
page two."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from apikeys.models import ApiKey
from tests.browser.support import (
    BROWSER_TEST,
    KEYS_PATH,
    fill_create_form,
    make_keys,
    sign_in,
)
from tests.support import FULL_KEY, PASSWORD, MakeKey

pytestmark = [
    *BROWSER_TEST,
    pytest.mark.page_options(bypass_csp=True),  # to inject axe
]


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
