"""The staff admin through a key's life: an expiry chosen at creation, rolling with a grace,
ending the grace early, renaming and annotating, the request limit, and how expiring,
expired and exposed keys are shown.

Personas: staff is a superuser; carol is staff with only the permissions a test gives her;
alice is a customer.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apikeys import services
from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.staff.admin.key_display import EXPOSED
from clipia_console.staff.admin.roll import CANNOT_ROLL
from tests.admin_support import (
    KEYS,
    end_grace_page,
    key_form,
    key_page,
    roll_page,
    signed_in_with,
)
from tests.support import PASSWORD, MakeKey, bearer

ADD_KEY = reverse("admin:apikeys_apikey_add")
ACCOUNT = "/v1/account"


@pytest.fixture
def carol(db: None) -> User:
    return User.objects.create_user("carol", "carol@clipia.example", PASSWORD, is_staff=True)


def new_key(client: Client, owner: User, **fields: str) -> ApiKey:
    client.post(
        ADD_KEY,
        {"owner": str(owner.pk), "name": "k", "environment": "test", "scopes": ["read"], **fields},
    )
    return ApiKey.objects.get(owner=owner)


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


def statuses(client: Client) -> dict[str, str]:
    """The key list's status column, by key name, as text."""
    listing = text(client.get(KEYS))
    rows = re.findall(
        r'<th class="field-name">.*?>([^<]*)</a></th>.*?field-status">(.*?)</td>', listing
    )
    return {name: re.sub(r"<[^>]+>", "", status) for name, status in rows}


def every_stored_value() -> str:
    """Every column of every key, event and admin log entry, as one string to search for a
    secret in."""
    rows = [*ApiKey.objects.values(), *ApiKeyEvent.objects.values(), *LogEntry.objects.values()]
    return json.dumps(rows, default=str)


# Expiry at creation.


def test_a_new_key_never_expires_unless_staff_choose_otherwise(
    staff_client: Client, alice: User
) -> None:
    form = text(staff_client.get(ADD_KEY))

    api_key = new_key(staff_client, alice, expires="never")

    assert "30 days" in form and "On a date" in form
    assert re.search(r'name="expires" value="never"[^>]*checked', form)
    assert api_key.expires_at is None


@pytest.mark.parametrize("days", [7, 30, 90])
def test_a_key_created_to_expire_in_some_days_expires_then_and_says_so(
    staff_client: Client, alice: User, days: int
) -> None:
    before = timezone.now()
    response = staff_client.post(
        ADD_KEY,
        {
            "owner": alice.pk,
            "name": "k",
            "environment": "live",
            "scopes": ["read"],
            "expires": str(days),
        },
    )

    api_key = ApiKey.objects.get(owner=alice)
    assert api_key.expires_at is not None
    assert (
        before + timedelta(days=days) <= api_key.expires_at <= timezone.now() + timedelta(days=days)
    )
    assert f"{api_key.expires_at:%Y-%m-%d %H:%M} UTC" in text(response)


def test_a_key_created_to_expire_on_a_date_works_until_the_end_of_that_day(
    staff_client: Client, alice: User
) -> None:
    day = timezone.localdate() + timedelta(days=10)

    api_key = new_key(staff_client, alice, expires="date", expires_on=day.isoformat())

    end_of_day = datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )
    assert api_key.expires_at == end_of_day


@pytest.mark.parametrize(
    ("expires_on", "message"),
    [
        ("", "Choose the date the key expires."),
        ("yesterday", services.EXPIRY_IN_PAST),
        ("too far", services.EXPIRY_TOO_FAR),
        ("2026-02-30", "Enter a date as YYYY-MM-DD."),
    ],
)
def test_an_expiry_date_missing_past_or_beyond_a_year_is_refused(
    staff_client: Client, alice: User, expires_on: str, message: str
) -> None:
    today = timezone.localdate()
    named = {"yesterday": today - timedelta(days=1), "too far": today + timedelta(days=366)}
    value = named[expires_on].isoformat() if expires_on in named else expires_on

    response = staff_client.post(
        ADD_KEY,
        {
            "owner": alice.pk,
            "name": "k",
            "environment": "test",
            "scopes": ["read"],
            "expires": "date",
            "expires_on": value,
        },
    )

    assert response.status_code == 200
    assert message in text(response)
    assert not ApiKey.objects.filter(owner=alice).exists()


def test_a_date_given_without_choosing_on_a_date_is_not_silently_dropped(
    staff_client: Client, alice: User
) -> None:
    day = timezone.localdate() + timedelta(days=10)

    response = staff_client.post(
        ADD_KEY,
        {
            "owner": alice.pk,
            "name": "k",
            "environment": "test",
            "scopes": ["read"],
            "expires": "never",
            "expires_on": day.isoformat(),
        },
    )

    assert "choose “On a date” to use it" in text(response)
    assert not ApiKey.objects.filter(owner=alice).exists()


# Expiry and exposure in the list and on the key's page.


def test_the_list_and_page_say_when_a_key_expires_and_that_an_expired_one_expired(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    soon, _ = make_key(alice, name="soon")
    gone, _ = make_key(alice, name="gone")
    ApiKey.objects.filter(pk=soon.pk).update(
        expires_at=timezone.now() + timedelta(days=3, minutes=1)
    )
    ApiKey.objects.filter(pk=gone.pk).update(expires_at=timezone.now() - timedelta(days=2))

    listed = statuses(staff_client)
    soon_page = text(staff_client.get(key_page(soon)))
    gone_page = text(staff_client.get(key_page(gone)))

    assert listed == {"soon": "Active, expires in 3 days", "gone": "Expired"}
    assert "expires in 3 days" in soon_page
    assert "expired 2 days ago" in gone_page


def test_a_key_revoked_after_a_public_report_shows_as_exposed(
    staff_client: Client, api: Client, alice: User, make_key: MakeKey
) -> None:
    reported, raw_key = make_key(alice, "live", name="pasted in a gist")
    revoked, _ = make_key(alice, "live", name="revoked by its owner")
    services.revoke_key(revoked, actor=services.Actor.command("tests"))

    api.post("/v1/keys/revoke", {"keys": [raw_key]}, content_type="application/json")
    listed = statuses(staff_client)
    page = text(staff_client.get(key_page(reported)))

    assert listed == {"pasted in a gist": EXPOSED, "revoked by its owner": "Revoked"}
    assert EXPOSED in page
    assert "reported as exposed" in page  # the audit trail's reason


# Rolling.


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


# The old secret's grace.


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


# Name, note and request limit.


def test_renaming_and_annotating_a_key_is_audited_with_old_and_new_name(
    staff_client: Client, staff: User, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice, name="old name")

    response = staff_client.post(
        key_page(api_key), key_form(api_key, name="new name", note="runs on the render farm")
    )
    page = text(staff_client.get(key_page(api_key)))

    assert response.status_code == 302
    api_key.refresh_from_db()
    assert (api_key.name, api_key.note) == ("new name", "runs on the render farm")
    event = api_key.events.get(kind=ApiKeyEvent.Kind.RENAMED)
    assert event.reason == "“old name” → “new name”; note changed"
    assert (event.actor, event.actor_kind) == (staff, ApiKeyEvent.ActorKind.STAFF)
    assert "Name or note changed" in page
    assert "“old name” → “new name”" in page
    assert raw_key.startswith(api_key.display_prefix)  # the secret is untouched


def test_saving_a_key_page_unchanged_writes_no_event(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)

    response = staff_client.post(key_page(api_key), key_form(api_key))

    assert response.status_code == 302
    assert list(api_key.events.values_list("kind", flat=True)) == [ApiKeyEvent.Kind.CREATED]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "   "}, services.NAME_MISSING),
        ({"name": "n" * 101}, services.NAME_TOO_LONG),
        ({"note": "n" * 1001}, services.NOTE_TOO_LONG),
        ({"generation_rate_limit": "0"}, services.RATE_LIMIT_INVALID),
        ({"generation_rate_limit": "many"}, services.RATE_LIMIT_INVALID),
    ],
)
def test_a_bad_name_note_or_limit_is_refused_and_nothing_changes(
    staff_client: Client, alice: User, make_key: MakeKey, fields: dict[str, str], message: str
) -> None:
    api_key, _ = make_key(alice, name="kept")

    response = staff_client.post(key_page(api_key), key_form(api_key, **fields))

    assert response.status_code == 200
    assert message in text(response)
    assert ApiKey.objects.get(pk=api_key.pk).name == "kept"
    assert api_key.events.count() == 1


def test_staff_set_a_keys_request_limit_and_clear_it_back_to_the_default(
    staff_client: Client, staff: User, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "live")
    page = text(staff_client.get(key_page(api_key)))

    staff_client.post(key_page(api_key), key_form(api_key, generation_rate_limit="5"))
    limited = ApiKey.objects.get(pk=api_key.pk)
    staff_client.post(key_page(api_key), key_form(limited, generation_rate_limit=""))

    assert "Generation requests per minute" in page
    assert "live environment's default, 60 per minute" in page
    assert limited.generation_rate_limit == 5
    assert ApiKey.objects.get(pk=api_key.pk).generation_rate_limit is None
    reasons = api_key.events.filter(kind=ApiKeyEvent.Kind.LIMIT_CHANGED).order_by("id")
    assert [event.reason for event in reasons] == [
        "environment default → 5 per minute",
        "5 per minute → environment default",
    ]
    assert all(event.actor == staff for event in reasons)


def test_a_revoked_keys_page_edits_nothing_even_when_posted_to(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="kept")
    services.revoke_key(api_key, actor=services.Actor.command("tests"))

    staff_client.post(
        key_page(api_key), key_form(api_key, name="changed", generation_rate_limit="5")
    )

    api_key.refresh_from_db()
    assert (api_key.name, api_key.generation_rate_limit) == ("kept", None)
    assert not api_key.events.filter(kind=ApiKeyEvent.Kind.RENAMED).exists()
