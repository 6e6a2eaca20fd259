"""Helpers for the Playwright browser tests: Chromium, signing in, the accessibility pass
(axe-core), page widths, and saving screenshots."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Browser, Page, expect, sync_playwright

from apikeys.models import ApiKey
from tests.support import MakeKey

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


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
AXE = Path(__file__).resolve().parents[1] / "assets" / "axe.min.js"  # axe-core 4.14.1, MPL-2.0


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium through Playwright (one per test process: tests/browser/conftest.py)."""
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


# Every browser test's marks: the live server needs committed rows (a transactional
# test), and the catalog the migrations seed, which each transactional test's flush
# empties, is written back before it (cheaper than serialized_rollback, which reloads the
# whole migrated database before every test).
BROWSER_TEST = (
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalog"),
)


def close_page(page: Page) -> None:
    """Close the page's context, then wait for the live server's request threads to see
    its connections go: a keep-alive connection's thread that ends after its test closes
    the shared in-memory database connection outside any test, and fails whichever test
    runs then (pytest reports the thread's exception there)."""
    page.context.close()
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=5)


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
    injected from the tests' own copy: the app never serves it. resultTypes: axe still
    runs every rule on every node, but details only the violations (the passes' details
    are most of its time and nobody reads them)."""
    # A locator can see the page before its stylesheet arrives (it is not parser-blocking),
    # and axe would then measure browser defaults, and the panel's rise and the buttons'
    # colour transitions that start when the styles land: wait for the load event, which
    # waits for the stylesheets, then for those animations to end.
    page.wait_for_load_state("load")
    # allSettled: an animation cancelled meanwhile (its element swapped out) is done too.
    page.evaluate(
        "Promise.allSettled(document.getAnimations().map(animation => animation.finished))"
    )
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
              values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
              resultTypes: ["violations"]})"""
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


def signed_in_page(browser: Browser, live_server: Any, staff: User, **options: Any) -> Page:
    """A 1440 px wide browser signed in as staff."""
    client = Client()
    client.force_login(staff)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}, **options
    )
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


# Records violations as the page sees them: the console message alone can be missed for
# workers and for styles.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push(event.effectiveDirective + " " + event.blockedURI);
});
"""


class Watched:
    """A signed-out page that remembers CSP violations and requests to other origins."""

    def __init__(self, browser: Browser, live_server: Any) -> None:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        self.page = context.new_page()
        self.page.add_init_script(RECORD_VIOLATIONS)
        self.origin = urlsplit(live_server.url).netloc
        self.console: list[str] = []
        self.foreign: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("request", self._on_request)

    def _on_console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def _on_request(self, request: Any) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("data", "blob"):
            return
        if url.netloc != self.origin:
            self.foreign.append(request.url)

    def assert_clean(self) -> None:
        violations = self.page.evaluate("window.cspViolations")
        assert violations == [], "\n".join(violations)
        assert self.console == []
        assert self.foreign == []


def make_keys(alice: User, make_key: MakeKey, count: int) -> list[ApiKey]:
    """``count`` keys, newest first as the list shows them."""
    keys = [make_key(alice, name=f"Worker {number}")[0] for number in range(count)]
    return keys[::-1]


def v1_account_status(page: Page, raw_key: str) -> int:
    response = page.request.get("/v1/account", headers={"Authorization": f"Bearer {raw_key}"})
    return response.status
