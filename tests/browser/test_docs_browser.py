"""The /docs/ pages in real Chromium, signed out: they render (the reference through Redoc
from our own static files), with no Content-Security-Policy violation and no request
leaving our origin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, expect

from tests.browser_support import chromium, save_screenshot
from tests.support import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Records violations as the page sees them: the console message alone can be missed for
# workers and for styles.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push(event.effectiveDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


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


@pytest.fixture
def watched(browser: Browser, live_server: Any) -> Iterator[Watched]:
    watched = Watched(browser, live_server)
    yield watched
    watched.page.context.close()


def test_the_reference_renders_the_schema_with_swagger_ui(watched: Watched) -> None:
    page = watched.page
    page.goto("/docs/reference/")

    expect(page.get_by_role("heading", name="Clipia API")).to_be_visible()
    operation = page.get_by_role("button", name="POST /v1/models/{model_id} Create a generation")
    expect(operation).to_be_visible()
    expect(page.get_by_text("Loading the API reference")).to_have_count(0)
    operation.click()
    expect(page.get_by_text("insufficient_credits").first).to_be_visible()
    expect(page.get_by_role("button", name="Try it out")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    save_screenshot(page, "docs-reference", full_page=False)
    watched.assert_clean()


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/docs/", "Quickstart"),
        ("/docs/authentication/", "Authentication"),
        ("/docs/sandbox/", "Sandbox"),
    ],
)
def test_the_guides_render_signed_out(watched: Watched, path: str, heading: str) -> None:
    page = watched.page
    page.goto(path)

    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("link", name=heading)).to_have_attribute("aria-current", "page")
    page.wait_for_load_state("networkidle")
    watched.assert_clean()


def test_the_docs_are_one_click_from_the_console_header(watched: Watched, alice: User) -> None:
    page = watched.page
    page.goto("/developer/api-keys/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Developers")).to_be_visible()

    page.get_by_role("banner").get_by_role("link", name="API docs").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Quickstart")
    watched.assert_clean()
