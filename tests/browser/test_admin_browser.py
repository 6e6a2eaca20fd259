"""The staff admin in real Chromium (Playwright), under the site's Content-Security-Policy:
the key list at 1440 px, a pasted key rewritten before a search is sent, the revoke
confirmation, and the owner autocomplete. Also writes the admin screenshots."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from apikeys.models import ApiKey
from tests.admin_support import KEYS, key_page
from tests.browser.support import BROWSER_TEST, save_screenshot
from tests.support import MakeKey

pytestmark = [
    *BROWSER_TEST,
]


def busy_keys(make_key: MakeKey) -> list[ApiKey]:
    """Keys as a real list shows them: long names and emails, live and test, used or not,
    one expiring soon."""
    owners = [
        User.objects.create_user(
            f"customer-{n}", f"integration.team+{n}@a-long-company-name.example"
        )
        for n in range(3)
    ]
    made = []
    for n, owner in enumerate(owners):
        api_key, _ = make_key(
            owner, "live" if n % 2 else "test", name=f"Zapier integration for the EU warehouse {n}"
        )
        made.append(api_key)
    ApiKey.objects.filter(pk=made[1].pk).update(last_used_at=timezone.now() - timedelta(minutes=5))
    ApiKey.objects.filter(pk=made[2].pk).update(expires_at=timezone.now() + timedelta(days=3))
    return made


def test_the_key_list_fits_1440_px_with_status_early(staff_page: Page, make_key: MakeKey) -> None:
    busy_keys(make_key)

    staff_page.goto(KEYS)

    headers = staff_page.locator("#result_list thead th").all_inner_texts()
    assert headers.index("STATUS") < headers.index("PREFIX")
    # Neither the page nor the results box (which scrolls on its own) is wider than shown.
    for box in ("document.documentElement", "document.querySelector('.results')"):
        width, shown = staff_page.evaluate(f"[{box}.scrollWidth, {box}.clientWidth]")
        assert width <= shown, box
    assert staff_page.title().endswith("Clipia staff")
    save_screenshot(staff_page, "admin-keys-list")


def test_a_pasted_key_is_searched_by_its_lookup_id_and_never_sent(
    staff_page: Page, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice, "live", name="leaked")
    sent: list[str] = []
    staff_page.on("request", lambda request: sent.append(request.url))
    staff_page.goto(KEYS)

    staff_page.get_by_role("textbox").first.fill(raw_key)
    staff_page.keyboard.press("Enter")

    expect(staff_page.locator("#result_list")).to_contain_text("leaked")
    assert api_key.lookup_id in staff_page.url
    assert not [url for url in sent if raw_key in url]
    assert staff_page.locator("#searchbar").input_value() == api_key.lookup_id


def test_without_javascript_a_pasted_key_is_searched_by_its_lookup_id_and_not_shown(
    nojs_staff_page: Page, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice, "live", name="leaked")
    nojs_staff_page.goto(KEYS)

    nojs_staff_page.locator("#searchbar").fill(raw_key)
    nojs_staff_page.keyboard.press("Enter")

    expect(nojs_staff_page.locator("#result_list")).to_contain_text("leaked")
    assert raw_key not in nojs_staff_page.url
    assert nojs_staff_page.locator("#searchbar").input_value() == api_key.lookup_id
    assert raw_key not in nojs_staff_page.content()


def test_revoking_from_the_list_asks_first_and_then_names_the_key(
    staff_page: Page, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "live", name="leaked")
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    staff_page.goto(KEYS)

    staff_page.locator("#action-toggle").check()
    staff_page.locator("select[name=action]").select_option("revoke_selected")
    staff_page.get_by_role("button", name="Go").click()

    expect(staff_page.get_by_role("alert")).to_contain_text("used in the last hour")
    save_screenshot(staff_page, "admin-revoke-confirmation")
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None
    staff_page.get_by_role("button", name="Yes, revoke this key").click()
    expect(staff_page.locator(".messagelist")).to_contain_text("Revoked 1 key: “leaked”")
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None


def test_the_key_page_offers_revoke_this_key(
    staff_page: Page, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "live", name="leaked")

    staff_page.goto(key_page(api_key))
    save_screenshot(staff_page, "admin-key-page")
    staff_page.get_by_role("link", name="Revoke this key…").click()
    staff_page.get_by_role("button", name="Yes, revoke this key").click()

    expect(staff_page.locator(".messagelist")).to_contain_text("Revoked 1 key")
    expect(staff_page.get_by_role("link", name="Revoke this key…")).to_have_count(0)


def test_staff_pick_the_owner_by_typing_and_the_key_starts_in_test(
    staff_page: Page, alice: User
) -> None:
    errors: list[str] = []  # a script the Content-Security-Policy refused shows up here
    staff_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    staff_page.goto("/admin/apikeys/apikey/add/")

    expect(staff_page.get_by_label("Test")).to_be_checked()
    staff_page.locator(".select2-selection").click()
    staff_page.locator(".select2-search__field").fill("alice@")
    staff_page.locator(".select2-results__option", has_text="alice").click()
    staff_page.get_by_label("Name").fill("for support")
    staff_page.get_by_role("button", name="Create key").click()

    expect(staff_page.get_by_text("Copy this key now")).to_be_visible()
    assert ApiKey.objects.get(owner=alice).environment == "test"
    assert not errors


def test_rolling_from_the_key_page_then_ending_the_grace(
    staff_page: Page, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "live", name="render farm")
    staff_page.goto(key_page(api_key))

    staff_page.get_by_role("link", name="Roll this key…").click()
    staff_page.get_by_label("24 hours").check()
    save_screenshot(staff_page, "admin-roll-confirmation")
    staff_page.get_by_role("button", name="Roll the key").click()

    new_key = staff_page.get_by_label("The new API key").input_value()
    assert new_key.startswith(api_key.display_prefix)
    staff_page.get_by_role("link", name="View the key’s details").click()
    expect(staff_page.get_by_text("The old secret works until")).to_be_visible()
    save_screenshot(staff_page, "admin-key-in-grace")
    assert new_key not in staff_page.content()
    staff_page.get_by_role("link", name="End grace now…").click()
    staff_page.get_by_role("button", name="Yes, retire the old secret now").click()
    expect(staff_page.locator(".messagelist")).to_contain_text("no longer works")
    expect(staff_page.get_by_role("link", name="End grace now…")).to_have_count(0)
