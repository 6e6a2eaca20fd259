"""Revoking keys in the admin: a confirmation page first, from the list or a key's page.

Personas: staff is a superuser; carol is staff with only the permissions a test gives her;
alice and bob are customers.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin import site
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.staff.admin.keys import ApiKeyAdmin
from tests.admin_support import KEYS, key_page, revoke_page, signed_in_with
from tests.support import PASSWORD, MakeKey


@pytest.fixture
def carol(db: None) -> User:
    return User.objects.create_user("carol", "carol@clipia.example", PASSWORD, is_staff=True)


def choose_revoke(client: Client, *api_keys: ApiKey, **extra: str) -> str:
    response = client.post(
        KEYS,
        {"action": "revoke_selected", "_selected_action": [k.pk for k in api_keys], **extra},
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_revoke_action_first_asks_showing_each_key_and_revokes_nothing(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    first, raw_key = make_key(alice, "live", name="render farm")
    ApiKey.objects.filter(pk=first.pk).update(last_used_at=timezone.now() - timedelta(days=3))

    page = choose_revoke(staff_client, first)

    for shown in ("alice", "render farm", f"{first.display_prefix}…", "Live", "3\xa0days ago"):
        assert shown in page
    assert "Yes, revoke this key" in page
    assert "No, take me back" in page
    assert raw_key not in page
    assert ApiKey.objects.get(pk=first.pk).revoked_at is None


def test_selecting_every_key_only_asks_first(
    staff_client: Client, alice: User, bob: User, make_key: MakeKey
) -> None:
    alices, _ = make_key(alice, name="alice's")
    make_key(bob, name="bob's")

    # What a browser sends for "Select all 2 API keys" with the first row's box ticked.
    page = choose_revoke(staff_client, alices, select_across="1", index="0")

    assert "Yes, revoke 2 keys" in page
    assert "belong to 2 different customers" in page
    assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()


def test_the_confirmation_warns_of_live_keys_used_in_the_last_hour(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    busy, _ = make_key(alice, "live", name="production")
    idle, _ = make_key(alice, "live", name="old one")
    sandbox, _ = make_key(alice, "test", name="sandbox")
    now = timezone.now()
    ApiKey.objects.filter(pk__in=[busy.pk, sandbox.pk]).update(last_used_at=now)
    ApiKey.objects.filter(pk=idle.pk).update(last_used_at=now - timedelta(hours=2))

    page = choose_revoke(staff_client, busy, idle, sandbox)

    assert "1 live key was used in the last hour and will stop working at once" in page
    assert "“production”" in page.split("will stop working at once")[1].split("</p>")[0]
    assert "“old one”" not in page.split("will stop working at once")[1].split("</p>")[0]
    assert "different customers" not in page


def test_the_second_post_revokes_and_names_the_keys(
    staff_client: Client, staff: User, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "live", name="leaked")

    response = staff_client.post(
        KEYS,
        {"action": "revoke_selected", "_selected_action": [api_key.pk], "post": "yes"},
        follow=True,
    )

    assert f"Revoked 1 key: “leaked” ({api_key.display_prefix}…, alice)." in (
        response.content.decode()
    )
    event = api_key.events.get(kind=ApiKeyEvent.Kind.REVOKED)
    assert event.actor == staff


def test_a_keys_page_offers_revoke_this_key_and_asks_before_revoking(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "live", name="leaked")

    page = staff_client.get(key_page(api_key)).content.decode()
    confirmation = staff_client.get(revoke_page(api_key)).content.decode()

    assert "Revoke this key…" in page
    assert revoke_page(api_key) in page
    assert "Revoke “leaked”?" in confirmation
    assert f"{api_key.display_prefix}…" in confirmation
    assert "Yes, revoke this key" in confirmation
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None


def test_confirming_on_the_keys_page_revokes_it_and_returns_to_it(
    staff_client: Client, staff: User, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "live", name="leaked")

    response = staff_client.post(revoke_page(api_key), {"post": "yes"})
    page = staff_client.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert response["Location"] == key_page(api_key)
    assert "Revoked 1 key: “leaked”" in page
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None
    assert api_key.events.get(kind=ApiKeyEvent.Kind.REVOKED).actor == staff


def test_a_revoked_keys_page_offers_no_edit_and_no_revoke(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)
    staff_client.post(revoke_page(api_key), {"post": "yes"})

    page = staff_client.get(key_page(api_key)).content.decode()

    assert "Revoke this key" not in page
    assert 'name="_save"' not in page
    assert 'name="name"' not in page


def test_an_active_keys_page_offers_only_saving_its_name(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)

    page = staff_client.get(key_page(api_key)).content.decode()

    assert 'name="name"' in page
    assert 'name="_save"' in page
    assert 'name="_addanother"' not in page
    assert "Delete" not in page


def test_staff_who_may_only_view_keys_cannot_revoke_from_the_keys_page(
    carol: User, test_key: tuple[ApiKey, str]
) -> None:
    client = signed_in_with(carol, "view_apikey")

    page = client.get(key_page(test_key[0])).content.decode()
    confirmation = client.get(revoke_page(test_key[0]))
    posted = client.post(revoke_page(test_key[0]), {"post": "yes"})

    assert "Revoke this key" not in page
    assert (confirmation.status_code, posted.status_code) == (403, 403)
    assert ApiKey.objects.get(pk=test_key[0].pk).revoked_at is None


def test_the_key_page_shows_the_last_used_address_when_it_is_known(
    alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)
    model_admin = ApiKeyAdmin(ApiKey, site)
    unknown = model_admin.last_used_address(api_key)
    api_key.last_used_address = "203.0.113.9"

    assert model_admin.last_used_address(api_key) == "203.0.113.9"
    assert unknown == "-"
