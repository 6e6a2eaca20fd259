"""Helpers shared by the tests/accounts test modules (plain functions and constants)."""

from __future__ import annotations

from typing import Any

from django.test import Client

CONSOLE_LOGIN = "/accounts/login/"
TOO_MANY = "Too many failed sign-ins in a short time."


def sign_in(
    client: Client, username: str, password: str, address: str = "127.0.0.1", url: str = ""
) -> Any:
    return client.post(
        url or CONSOLE_LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session
