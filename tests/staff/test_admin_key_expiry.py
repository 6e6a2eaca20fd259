"""Expiry in the staff admin: a key never expires unless staff choose, expires after so many
days or at the end of a date, refused dates, and how expiring, expired and exposed keys are
shown."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from apikeys import services
from apikeys.models import ApiKey
from clipia_console.staff.admin.key_display import EXPOSED
from tests.admin_support import (
    KEYS,
    key_page,
)
from tests.staff.helpers import ADD_KEY, text
from tests.support import MakeKey


def new_key(client: Client, owner: User, **fields: str) -> ApiKey:
    client.post(
        ADD_KEY,
        {"owner": str(owner.pk), "name": "k", "environment": "test", "scopes": ["read"], **fields},
    )
    return ApiKey.objects.get(owner=owner)


def statuses(client: Client) -> dict[str, str]:
    """The key list's status column, by key name, as text."""
    listing = text(client.get(KEYS))
    rows = re.findall(
        r'<th class="field-name">.*?>([^<]*)</a></th>.*?field-status">(.*?)</td>', listing
    )
    return {name: re.sub(r"<[^>]+>", "", status) for name, status in rows}


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
