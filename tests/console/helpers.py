"""Helpers shared by the tests/console test modules (plain functions and constants)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apikeys import services
from apikeys.models import ApiKey
from tests.support import FULL_KEY, create_in_console

KEYS_URL = "/developer/api-keys/"
HTMX = {"HX-Request": "true"}


def create(client: Client, headers: dict[str, str] | None = None, **data: Any) -> Any:
    return create_in_console(client, headers, **data)


def revoke_url(api_key: ApiKey) -> str:
    return f"{KEYS_URL}{api_key.pk}/revoke/"


def full_keys_in(response: Any) -> list[str]:
    return FULL_KEY.findall(response.content.decode())


def v1_account(raw_key: str) -> int:
    return Client().get("/v1/account", headers={"Authorization": f"Bearer {raw_key}"}).status_code


def token() -> str:
    """A fresh single-use form token, as each rendered create or roll form carries."""
    return secrets.token_urlsafe(18)


OWNER = services.Actor.command("tests")


def text_of(response: Any) -> str:
    """What a reader sees: the markup's text, whitespace collapsed."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(html)).strip()


def move_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def roll_url(api_key: ApiKey) -> str:
    return f"{KEYS_URL}{api_key.pk}/roll/"


def end_grace_url(api_key: ApiKey) -> str:
    return f"{KEYS_URL}{api_key.pk}/end-grace/"


def hidden_fields(response: Any) -> list[tuple[str, str]]:
    html = response.content.decode()
    pairs = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    # The form's single-use token is carried too (asserted once below), fresh per request.
    skipped = {"csrfmiddlewaretoken", "form_token"}
    return [(name, unescape(value)) for name, value in pairs if name not in skipped]


def asks_for_the_password(response: Any) -> bool:
    return "Confirm it is you" in text_of(response) and 'name="confirm_password"' in (
        response.content.decode()
    )
