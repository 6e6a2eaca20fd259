"""Helpers for the Playwright browser tests: Chromium, signing in, the accessibility pass
(axe-core), page widths, and saving screenshots."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
FULL_KEY = re.compile(r"clipia_(?:live|test)_[0-9A-Za-z]{50}")


def require_chromium() -> None:
    """Skip locally without Chromium; in CI a missing browser is a failure, never a skip."""
    if CHROMIUM.exists():
        return
    message = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must run them", pytrace=False)
    pytest.skip(message)


def save_screenshot(page: Any, name: str, *, full_page: bool = True) -> None:
    """Render the page to PNG; with UPDATE_SCREENSHOTS=1 (`make screenshots`) also write
    docs/screenshots/<name>.png for the README. Off by default, so an ordinary test run
    leaves the checkout clean (every run has new keys and times, so new pixels)."""
    image = page.screenshot(full_page=full_page, animations="disabled")
    assert image.startswith(b"\x89PNG")
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        return
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}.png").write_bytes(image)
    except OSError:
        pass


KEYS_PATH = "/developer/api-keys/"
AXE = Path(__file__).resolve().parent / "assets" / "axe.min.js"  # axe-core 4.14.1, MPL-2.0


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium through Playwright, for one test module."""
    require_chromium()
    # Playwright's sync API keeps an event loop in this thread, and Django refuses ORM
    # calls from a thread with a running loop; the test thread's ORM use is synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def open_page(browser: Browser, live_server: Any, **options: Any) -> Page:
    """A page in a fresh context. Pass bypass_csp=True to inject axe (an inline script
    to the page's CSP); the CSP itself is tested with it on."""
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    return context.new_page()


def sign_in(page: Page, username: str = "alice", password: str = "correct-horse-battery") -> None:
    page.goto(KEYS_PATH)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(f"{KEYS_PATH}$"))


def fill_create_form(page: Page, name: str, environment: str = "test") -> None:
    page.get_by_label("Name", exact=True).fill(name)
    page.locator(f"label.segment-{environment}").click()
    page.get_by_role("button", name="Create key").click()


def accessibility_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2 A/AA violations on the page as it stands, one line each. axe is
    injected from the tests' own copy: the app never serves it."""
    # Half-faded text (the new-key panel rises in) would be measured mid-animation.
    # allSettled: an animation cancelled meanwhile (its element swapped out) is done too.
    page.evaluate(
        "Promise.allSettled(document.getAnimations().map(animation => animation.finished))"
    )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
              values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})"""
    )
    return [
        f"{violation['id']}: {node['target']} {node.get('failureSummary', '')}"
        for violation in results["violations"]
        for node in violation["nodes"]
    ]


def horizontal_overflow(page: Page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )
