"""A rolled key's grace in the staff admin: what the page shows during it, ending it early,
and staff who may only view keys neither rolling nor ending one."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from apikeys.models import ApiKey, ApiKeyEvent
from tests.admin_support import (
    end_grace_page,
    key_page,
    roll_page,
    signed_in_with,
)
from tests.staff.helpers import ACCOUNT, rolled, text
from tests.support import PASSWORD, MakeKey, bearer


@pytest.fixture
def carol(db: None) -> User:
    return User.objects.create_user("carol", "carol@clipia.example", PASSWORD, is_staff=True)


def test_during_the_grace_the_page_shows_until_when_the_old_secret_works_and_its_last_use(
    staff_client: Client, api: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, old_key = make_key(alice)
    rolled(staff_client, api_key, "24h")
    api.get(ACCOUNT, **bearer(old_key))
    ends = ApiKey.objects.get(pk=api_key.pk).previous_expires_at
    assert ends is not None

    page = text(staff_client.get(key_page(api_key)))

    assert f"The old secret works until {timezone.localtime(ends):%Y-%m-%d %H:%M} UTC" in page
    assert "last used 0 minutes ago" in page
    assert "End grace now…" in page and end_grace_page(api_key) in page


def test_without_a_grace_the_page_offers_no_end_grace(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)
    never_rolled = text(staff_client.get(key_page(api_key)))
    rolled(staff_client, api_key, "now")

    after_roll = text(staff_client.get(key_page(api_key)))
    asked = text(staff_client.get(end_grace_page(api_key), follow=True))

    assert "Never rolled" in never_rolled and "End grace now" not in never_rolled
    assert "The old secret no longer works." in after_roll
    assert "End grace now" not in after_roll
    assert "not in a grace period" in asked


def test_ending_the_grace_asks_first_then_retires_the_old_secret_at_once(
    staff_client: Client, staff: User, api: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, old_key = make_key(alice)
    new_key_ = rolled(staff_client, api_key, "7d")

    confirmation = text(staff_client.get(end_grace_page(api_key)))
    still_works = api.get(ACCOUNT, **bearer(old_key)).status_code
    response = staff_client.post(end_grace_page(api_key), follow=True)

    assert "Yes, retire the old secret now" in confirmation
    assert still_works == 200
    assert response.redirect_chain == [(key_page(api_key), 302)]
    assert "The old secret of “test key” no longer works." in text(response)
    assert api.get(ACCOUNT, **bearer(old_key)).status_code == 401
    assert api.get(ACCOUNT, **bearer(new_key_)).status_code == 200
    event = api_key.events.get(kind=ApiKeyEvent.Kind.SECRET_RETIRED)
    assert (event.actor, event.reason) == (staff, "grace ended early")


def test_staff_who_may_only_view_keys_can_neither_roll_nor_end_a_grace(
    carol: User, staff_client: Client, api: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, old_key = make_key(alice)
    rolled(staff_client, api_key, "1h")
    rolled_at = ApiKey.objects.get(pk=api_key.pk).rolled_at
    client = signed_in_with(carol, "view_apikey")

    page = text(client.get(key_page(api_key)))
    responses = [
        client.get(roll_page(api_key)),
        client.post(roll_page(api_key), {"grace": "now"}),
        client.get(end_grace_page(api_key)),
        client.post(end_grace_page(api_key)),
    ]

    assert "Roll this key" not in page and "End grace now" not in page
    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    assert ApiKey.objects.get(pk=api_key.pk).rolled_at == rolled_at
    assert api.get(ACCOUNT, **bearer(old_key)).status_code == 200
