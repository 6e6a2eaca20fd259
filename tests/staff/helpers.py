"""Helpers shared by the tests/staff test modules (plain functions and constants)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from apikeys.models import ApiKey
from tests.admin_support import (
    roll_page,
)

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse


ADD_KEY = reverse("admin:apikeys_apikey_add")
ACCOUNTS = reverse("admin:billing_account_changelist")
ADD_ACCOUNT = reverse("admin:billing_account_add")


def credits_page(user: User) -> str:
    return reverse("admin:billing_account_credits", args=[user.pk])


def v1_account(api: Client, raw_key: str) -> _MonkeyPatchedWSGIResponse:
    return api.get("/v1/account", headers={"Authorization": f"Bearer {raw_key}"})


ACCOUNT = "/v1/account"


def rolled(client: Client, api_key: ApiKey, grace: str = "1h") -> str:
    """Roll ``api_key`` through its page; the new key from the response."""
    response = client.post(roll_page(api_key), {"grace": grace})
    assert response.status_code == 200
    return str(response.context["raw_key"])


def text(response: Any) -> str:
    """A page as a reader sees its characters: entities decoded, no-break spaces as
    spaces (Django's timesince joins "3 days" with one)."""
    content: bytes = response.content
    return html.unescape(content.decode()).replace("\xa0", " ")
