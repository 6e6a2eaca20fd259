"""The browser tests' fixtures: one Chromium per test process (each pytest-xdist worker),
a fresh context and page per test. A module sets its pages' context options with
``pytest.mark.page_options(...)`` and makes a CSP report in the console a failure with
``pytest.mark.no_csp_reports``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page

from tests.browser.support import Watched, chromium, close_page, open_page, signed_in_page


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser, live_server: Any) -> Iterator[Page]:
    marker = request.node.get_closest_marker("page_options")
    page = open_page(browser, live_server, **(marker.kwargs if marker else {}))
    reports: list[str] = []
    page.on(
        "console",
        lambda message: (
            reports.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    close_page(page)
    if request.node.get_closest_marker("no_csp_reports") is not None:
        assert reports == []


@pytest.fixture
def nojs_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    page = open_page(browser, live_server, java_script_enabled=False)
    yield page
    close_page(page)


@pytest.fixture
def staff_page(browser: Browser, live_server: Any, staff: User) -> Iterator[Page]:
    page = signed_in_page(browser, live_server, staff)
    yield page
    close_page(page)


@pytest.fixture
def nojs_staff_page(browser: Browser, live_server: Any, staff: User) -> Iterator[Page]:
    page = signed_in_page(browser, live_server, staff, java_script_enabled=False)
    yield page
    close_page(page)


@pytest.fixture
def watched(browser: Browser, live_server: Any) -> Iterator[Watched]:
    watched = Watched(browser, live_server)
    yield watched
    close_page(watched.page)
