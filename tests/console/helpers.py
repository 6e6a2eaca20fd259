"""Helpers shared by the tests/console test modules (plain functions and constants)."""

from __future__ import annotations

from typing import Any

from django.test import Client

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
