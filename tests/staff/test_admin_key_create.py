"""Staff creating a key in the admin: shown once on an uncacheable page, working on /v1, and
refused for an unknown owner, without a scope or past the active key limit."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey
from tests.staff.helpers import ADD_KEY, v1_account
from tests.support import MakeKey


def test_staff_creating_a_key_see_it_once_on_an_uncacheable_page(
    staff_client: Client, alice: User
) -> None:
    response = staff_client.post(
        ADD_KEY,
        {"owner": alice.pk, "name": "for support", "environment": "live", "scopes": ["generate"]},
    )

    api_key = ApiKey.objects.get(owner=alice)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw_key = response.context["raw_key"]
    assert raw_key.startswith(f"{api_key.display_prefix}")
    assert response.content.decode().count(raw_key) == 1
    assert (api_key.name, api_key.environment, api_key.scopes) == (
        "for support",
        "live",
        "generate",
    )
    assert response.cookies.get("messages") is None


def test_the_key_an_admin_creates_authenticates_on_v1(
    staff_client: Client, api: Client, alice: User
) -> None:
    response = staff_client.post(
        ADD_KEY,
        {"owner": alice.pk, "name": "k", "environment": "test", "scopes": ["read"]},
    )

    account = v1_account(api, response.context["raw_key"])

    assert account.status_code == 200


def test_creating_a_key_for_an_unknown_owner_is_refused(staff_client: Client, db: None) -> None:
    response = staff_client.post(
        ADD_KEY, {"owner": "9999", "name": "k", "environment": "live", "scopes": ["read"]}
    )

    assert response.status_code == 200
    assert "No such active user" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_creating_a_key_without_a_scope_is_refused(staff_client: Client, alice: User) -> None:
    response = staff_client.post(ADD_KEY, {"owner": alice.pk, "name": "k", "environment": "live"})

    assert response.status_code == 200
    assert "Choose at least one scope." in response.content.decode()
    assert not ApiKey.objects.exists()


def test_creating_a_key_past_the_active_key_limit_is_refused(
    staff_client: Client, alice: User, make_key: MakeKey, settings: object
) -> None:
    settings.APIKEYS_MAX_ACTIVE_KEYS = 1  # type: ignore[attr-defined]
    make_key(alice)

    response = staff_client.post(
        ADD_KEY, {"owner": alice.pk, "name": "k", "environment": "live", "scopes": ["read"]}
    )

    assert "at most 1 active keys" in response.content.decode()
    assert ApiKey.objects.filter(owner=alice).count() == 1
