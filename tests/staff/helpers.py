"""Helpers shared by the tests/staff test modules (plain functions and constants)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from apikeys.models import ApiKey

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse


KEYS = reverse("admin:apikeys_apikey_changelist")
ADD_KEY = reverse("admin:apikeys_apikey_add")
ACCOUNTS = reverse("admin:billing_account_changelist")
ADD_ACCOUNT = reverse("admin:billing_account_add")
GENERATIONS = reverse("admin:generations_generation_changelist")


def key_page(api_key: ApiKey) -> str:
    return reverse("admin:apikeys_apikey_change", args=[api_key.pk])


def credits_page(user: User) -> str:
    return reverse("admin:billing_account_credits", args=[user.pk])


def v1_account(api: Client, raw_key: str) -> _MonkeyPatchedWSGIResponse:
    return api.get("/v1/account", headers={"Authorization": f"Bearer {raw_key}"})
