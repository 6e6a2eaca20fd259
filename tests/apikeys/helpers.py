"""Helpers shared by the tests/apikeys test modules (plain functions and constants)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apikeys import keys
from apikeys.models import ApiKey

ACCOUNT = "/v1/account"


def apikey_queries(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "apikeys_" in query["sql"]]


def malformed(raw_key: str) -> str:
    """``raw_key`` with its last checksum character changed."""
    return raw_key[:-1] + ("A" if raw_key[-1] != "A" else "B")


KEYS = reverse("admin:apikeys_apikey_changelist")
ADD_KEY = reverse("admin:apikeys_apikey_add")
EVENTS = reverse("admin:apikeys_apikeyevent_changelist")


def create_in_admin(client: Client, owner: str = "alice", **fields: object) -> tuple[ApiKey, str]:
    # The admin's owner field is an autocomplete of users: it posts the user's id.
    owner_id = User.objects.get(username=owner).pk
    data = {
        "owner": owner_id,
        "name": "from the admin",
        "environment": "live",
        "scopes": ["generate"],
    }
    response = client.post(ADD_KEY, {**data, **fields}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    raw_key: str = response.context["raw_key"]
    parsed = keys.parse_key(raw_key)
    assert parsed is not None
    return ApiKey.objects.get(lookup_id=parsed.lookup_id), raw_key


def revoke_in_admin(client: Client, api_key: ApiKey, address: str = "198.51.100.9") -> None:
    response = client.post(
        KEYS,
        # "post": the confirmation page's second POST, which revokes.
        {"action": "revoke_selected", "_selected_action": [api_key.pk], "post": "yes"},
        REMOTE_ADDR=address,
    )
    assert response.status_code == 302
