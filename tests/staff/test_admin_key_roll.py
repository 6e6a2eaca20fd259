"""Rolling a key in the staff admin: the roll page and its grace, the new key shown once, both
secrets during the grace, rolling again, and the keys that cannot be rolled."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from apikeys import services
from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.staff.admin.roll import CANNOT_ROLL
from tests.admin_support import (
    KEYS,
    key_page,
    roll_page,
)
from tests.staff.helpers import ACCOUNT, rolled, text
from tests.support import MakeKey, bearer


def every_stored_value() -> str:
    """Every column of every key, event and admin log entry, as one string to search for a
    secret in."""
    rows = [*ApiKey.objects.values(), *ApiKeyEvent.objects.values(), *LogEntry.objects.values()]
    return json.dumps(rows, default=str)


def test_a_keys_page_offers_rolling_and_the_roll_page_asks_for_a_grace(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="render farm")

    page = text(staff_client.get(key_page(api_key)))
    confirmation = text(staff_client.get(roll_page(api_key)))

    assert "Roll this key…" in page and roll_page(api_key) in page
    assert "Roll “render farm”?" in confirmation
    for label in ("End it now", "1 hour", "24 hours", "7 days"):
        assert label in confirmation
    assert ApiKey.objects.get(pk=api_key.pk).rolled_at is None


def test_rolling_shows_the_new_key_once_on_an_uncacheable_page_and_nowhere_after(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "live", name="render farm")

    response = staff_client.post(roll_page(api_key), {"grace": "1h"})
    raw_key = response.context["raw_key"]
    page_after = text(staff_client.get(key_page(api_key)))
    listing = text(staff_client.get(KEYS))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert raw_key.startswith(api_key.display_prefix)
    assert text(response).count(raw_key) == 1
    assert response.cookies.get("messages") is None
    assert raw_key not in page_after and raw_key not in listing
    assert raw_key not in every_stored_value()
    assert raw_key not in str(dict(staff_client.session))
    assert raw_key not in response.get("Location", "")


def test_a_rolled_key_works_with_both_secrets_during_the_grace_and_is_audited(
    staff_client: Client, staff: User, api: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, old_key = make_key(alice, "test")

    new_key_ = rolled(staff_client, api_key, "1h")

    assert api.get(ACCOUNT, **bearer(new_key_)).status_code == 200
    assert api.get(ACCOUNT, **bearer(old_key)).status_code == 200
    event = api_key.events.get(kind=ApiKeyEvent.Kind.ROLLED)
    assert (event.actor, event.actor_kind) == (staff, ApiKeyEvent.ActorKind.STAFF)


def test_rolling_with_no_grace_retires_the_old_secret_at_once(
    staff_client: Client, api: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, old_key = make_key(alice, "test")

    new_key_ = rolled(staff_client, api_key, "now")

    assert api.get(ACCOUNT, **bearer(new_key_)).status_code == 200
    assert api.get(ACCOUNT, **bearer(old_key)).status_code == 401


def test_rolling_again_during_a_grace_warns_that_the_older_secret_retires_at_once(
    staff_client: Client, api: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, first_key = make_key(alice)
    rolled(staff_client, api_key, "7d")

    confirmation = text(staff_client.get(roll_page(api_key)))
    rolled(staff_client, api_key, "7d")

    assert "An old secret from the last roll still works" in confirmation
    assert api.get(ACCOUNT, **bearer(first_key)).status_code == 401


def test_a_roll_without_a_grace_chosen_rolls_nothing(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)

    response = staff_client.post(roll_page(api_key), {"grace": "forever"})

    assert response.status_code == 200
    assert "Choose how long the old secret keeps working." in text(response)
    assert "raw_key" not in response.context
    assert ApiKey.objects.get(pk=api_key.pk).rolled_at is None


@pytest.mark.parametrize("ending", ["revoked", "expired"])
def test_a_revoked_or_expired_key_cannot_be_rolled_and_staff_are_told_why(
    staff_client: Client, alice: User, make_key: MakeKey, ending: str
) -> None:
    api_key, _ = make_key(alice)
    if ending == "revoked":
        services.revoke_key(api_key, actor=services.Actor.command("tests"))
    else:
        ApiKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now() - timedelta(hours=1))

    page = text(staff_client.get(key_page(api_key)))
    asked = staff_client.get(roll_page(api_key), follow=True)
    posted = staff_client.post(roll_page(api_key), {"grace": "1h"}, follow=True)

    assert "Roll this key" not in page
    for response in (asked, posted):
        assert response.redirect_chain == [(key_page(api_key), 302)]
        assert CANNOT_ROLL in text(response)
    assert ApiKey.objects.get(pk=api_key.pk).rolled_at is None
    assert not api_key.events.filter(kind=ApiKeyEvent.Kind.ROLLED).exists()


def test_a_key_that_expires_between_page_and_post_is_refused_in_the_services_words(
    staff_client: Client, alice: User, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view checks first, but the service decides: its refusal is shown too."""
    api_key, _ = make_key(alice)
    # The view's clock still sees the key before its expiry; the service's does not.
    before_expiry = SimpleNamespace(now=lambda: timezone.now() - timedelta(hours=2))
    monkeypatch.setattr("clipia_console.staff.admin.roll.clock", before_expiry)
    ApiKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now() - timedelta(hours=1))

    response = staff_client.post(roll_page(api_key), {"grace": "1h"}, follow=True)

    assert "A revoked or expired key cannot be rolled." in text(response)
    assert ApiKey.objects.get(pk=api_key.pk).rolled_at is None
