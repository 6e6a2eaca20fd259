"""A key that can no longer be used offers nothing to do to it (issue 17): an expired key
has no Revoke in the list and no spend forms on its page, as a revoked one; staff are not
offered "Change spend controls" for a revoked key."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from apikeys import services
from apikeys.models import ApiKey
from tests.console.helpers import KEYS_URL, OWNER, text_of
from tests.support import MakeKey


def expired(api_key: ApiKey) -> ApiKey:
    ApiKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now() - timedelta(days=1))
    return ApiKey.objects.get(pk=api_key.pk)


def test_an_expired_key_has_no_revoke_in_the_list(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    old, _ = make_key(alice, name="Old laptop")
    current, _ = make_key(alice, name="Render server")
    expired(old)

    page = console.get(KEYS_URL).content.decode()

    assert f'aria-label="Revoke Render server ({current.display_prefix}…)"' in page
    assert f'aria-label="Revoke Old laptop ({old.display_prefix}…)"' not in page


def test_an_expired_keys_page_offers_no_spend_forms(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    key, _ = make_key(alice, name="Old laptop")
    expired(key)

    page = text_of(console.get(f"{KEYS_URL}{key.pk}/"))

    assert "This key is expired; its settings can no longer change." in page
    assert "Save budget" not in page and "Pause spending" not in page


def test_staff_are_not_offered_to_change_a_revoked_keys_spend_controls(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    key, _ = make_key(alice, name="Old laptop")
    change = f"/admin/apikeys/apikey/{key.pk}/change/"
    assert "Change spend controls" in staff_client.get(change).content.decode()

    services.revoke_key(key, actor=OWNER)

    assert "Change spend controls" not in staff_client.get(change).content.decode()
