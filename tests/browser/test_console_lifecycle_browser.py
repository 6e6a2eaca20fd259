"""Rolling a key in real Chromium: the grace chosen, the new key shown once and swapped
in by htmx, both secrets working, then the grace ended from the list's dialog; and the
password confirmation without JavaScript. Under the console's Content-Security-Policy.
Also writes docs/screenshots/api-keys-roll.png with UPDATE_SCREENSHOTS=1."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from apikeys import exposure, rolling, services
from apikeys.models import ApiKey, ApiKeyEvent
from tests.browser.support import (
    BROWSER_TEST,
    KEYS_PATH,
    accessibility_violations,
    close_page,
    open_page,
    save_screenshot,
    sign_in,
)
from tests.support import FULL_KEY, PASSWORD, MakeKey

pytestmark = [
    *BROWSER_TEST,
    pytest.mark.no_csp_reports,
]


def v1_account_status(page: Page, raw_key: str) -> int:
    response = page.request.get("/v1/account", headers={"Authorization": f"Bearer {raw_key}"})
    return response.status


def test_roll_shows_the_new_key_once_then_the_grace_ends_from_the_list(
    page: Page, alice: User, make_key: MakeKey
) -> None:
    api_key, old_key = make_key(alice, "live", name="Render server")
    sign_in(page)

    page.get_by_role("link", name="Roll Render server").click()
    expect(page.get_by_role("heading", name="Roll “Render server”")).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("24 hours").check()
    page.get_by_role("button", name="Roll key").click()

    panel = page.locator("#new-key")
    expect(panel).to_be_visible()
    expect(panel).to_be_focused()
    expect(panel).to_contain_text("Store it now; it will not be shown again.")
    expect(page.locator("#grace-statement")).to_contain_text("The old secret keeps working until")
    expect(page.locator("#announcer")).to_contain_text("“Render server” rolled.")
    assert page.evaluate("window.stillTheSamePage") is True  # swapped in by htmx
    new_key = page.locator("#new-key-value").input_value()
    assert FULL_KEY.fullmatch(new_key) and new_key.startswith(api_key.display_prefix)
    assert new_key != old_key
    save_screenshot(page, "api-keys-roll")
    assert v1_account_status(page, new_key) == 200
    assert v1_account_status(page, old_key) == 200  # in its grace

    page.reload()  # the page's URL is the roll form's GET: the key is gone
    expect(page.get_by_role("button", name="Roll key")).to_be_visible()
    assert FULL_KEY.search(page.content()) is None

    page.goto(KEYS_PATH)
    row = page.locator(f"#key-{api_key.pk}")
    expect(row).to_contain_text("old secret last used just now")
    row.get_by_role("button", name="End grace now for Render server").click()
    dialog = page.locator("dialog.dialog")
    expect(dialog).to_contain_text("End the grace of “Render server” now?")
    dialog.get_by_role("button", name="End grace now").click()

    expect(row).not_to_contain_text("old secret")
    expect(row).to_be_focused()
    expect(page.locator("#announcer")).to_contain_text(
        "The old secret of “Render server” is retired."
    )
    assert v1_account_status(page, old_key) == 401
    assert v1_account_status(page, new_key) == 200
    assert ApiKeyEvent.objects.filter(api_key=api_key, kind="secret_retired").count() == 1


def test_an_old_sign_in_confirms_the_password_without_javascript_and_keeps_the_form(
    nojs_page: Page, alice: User, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = nojs_page
    api_key, _ = make_key(alice, "test", name="Batch job")
    sign_in(page)
    moment = timezone.now() + timedelta(minutes=20)
    monkeypatch.setattr(timezone, "now", lambda: moment)  # the live server shares the process

    page.goto(f"{KEYS_PATH}{api_key.pk}/roll/")
    page.get_by_label("7 days").check()
    page.get_by_role("button", name="Roll key").click()

    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("That is not your password.")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.locator("#new-key")).to_contain_text("Store it now; it will not be shown again.")
    api_key = ApiKey.objects.get(pk=api_key.pk)
    assert api_key.previous_expires_at is not None and api_key.rolled_at is not None
    assert api_key.previous_expires_at - api_key.rolled_at == timedelta(days=7)


def test_behind_htmx_an_old_sign_in_confirms_then_gets_the_live_key_it_typed(
    page: Page, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(page)
    moment = timezone.now() + timedelta(minutes=20)
    monkeypatch.setattr(timezone, "now", lambda: moment)

    page.get_by_label("Name", exact=True).fill("Billing worker")
    page.locator("label.segment-live").click()
    page.get_by_text("90 days").click()
    page.get_by_role("button", name="Create key").click()

    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_focused()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    panel = page.locator("#new-key")
    expect(panel).to_contain_text("Your new key “Billing worker”")
    assert FULL_KEY.fullmatch(page.locator("#new-key-value").input_value())
    api_key = ApiKey.objects.get(owner=alice)
    assert api_key.environment == "live" and api_key.expires_at is not None
    assert api_key.expires_at - moment > timedelta(days=89)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_lifecycle_page_passes_axe(
    browser: Browser,
    live_server: Any,
    alice: User,
    make_key: MakeKey,
    monkeypatch: pytest.MonkeyPatch,
    scheme: Literal["light", "dark"],
) -> None:
    page = open_page(browser, live_server, color_scheme=scheme, bypass_csp=True)
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")  # no half-faded text
    actor = services.Actor.command("tests")
    try:
        rolled, _ = make_key(alice, "live", name="Rolled")
        rolling.roll_key(rolled, grace=timedelta(days=1), actor=actor)
        services.create_key(
            owner=alice,
            name="Soon",
            environment="test",
            actor=actor,
            expires_at=timezone.now() + timedelta(days=3),
        )
        _, leaked = make_key(alice, "live", name="Leaked")
        exposure.report_exposed([leaked], client_address=None)
        found: list[str] = []
        sign_in(page)
        found += [f"list: {line}" for line in accessibility_violations(page)]
        page.get_by_role("link", name="Edit Rolled").click()
        expect(page.get_by_role("button", name="Save")).to_be_visible()
        found += [f"edit row: {line}" for line in accessibility_violations(page)]
        for where, path in [
            ("edit page", f"{KEYS_PATH}{rolled.pk}/edit/"),
            ("end grace", f"{KEYS_PATH}{rolled.pk}/end-grace/"),
            ("roll page", f"{KEYS_PATH}{rolled.pk}/roll/"),
        ]:
            page.goto(path)
            found += [f"{where}: {line}" for line in accessibility_violations(page)]
        page.get_by_role("button", name="Roll key").click()
        expect(page.locator("#new-key")).to_be_visible()
        found += [f"roll panel: {line}" for line in accessibility_violations(page)]
        moment = timezone.now() + timedelta(minutes=20)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        page.goto(f"{KEYS_PATH}{rolled.pk}/roll/")
        page.get_by_role("button", name="Roll key").click()
        expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
        found += [f"confirm it is you: {line}" for line in accessibility_violations(page)]
        assert found == []
    finally:
        close_page(page)
