"""The /docs/ pages in real Chromium, signed out: they render (the reference through Redoc
from our own static files), with no Content-Security-Policy violation and no request
leaving our origin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser.support import BROWSER_TEST, Watched, save_screenshot
from tests.support import PASSWORD

pytestmark = [
    *BROWSER_TEST,
]


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
