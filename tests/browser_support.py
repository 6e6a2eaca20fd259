"""Helpers for the Playwright browser tests: finding Chromium, and saving screenshots."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

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
