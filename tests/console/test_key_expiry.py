"""A key's expiry in the console: chosen at creation (days, a date, never), bad dates refused
with what was typed kept, and what the list says of expiring and expired keys."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from apikeys import services
from apikeys.models import ApiKey
from tests.console.helpers import HTMX, KEYS_URL, OWNER, create, move_clock, roll_url, text_of


@pytest.mark.parametrize("days", [7, 30, 90])
def test_a_key_can_be_created_to_expire_in_so_many_days(
    console: Client, alice: User, days: int
) -> None:
    before = timezone.now()
    response = create(console, expires=str(days))

    assert response.status_code == 201
    api_key = ApiKey.objects.get(owner=alice)
    assert api_key.expires_at is not None
    assert (
        before + timedelta(days=days) <= api_key.expires_at <= timezone.now() + timedelta(days=days)
    )


def test_a_key_created_without_an_expiry_never_expires(console: Client, alice: User) -> None:
    assert create(console).status_code == 201
    assert ApiKey.objects.get(owner=alice).expires_at is None
    assert create(console, expires="never").status_code == 201


def test_a_key_can_work_through_a_chosen_date(console: Client, alice: User) -> None:
    last_day = (timezone.now() + timedelta(days=200)).astimezone(UTC).date()

    response = create(console, expires="date", expires_on=last_day.isoformat())

    assert response.status_code == 201
    expires_at = ApiKey.objects.get(owner=alice).expires_at
    assert expires_at == datetime.combine(last_day + timedelta(days=1), datetime.min.time(), UTC)


@pytest.mark.parametrize(
    ("expires_on", "message"),
    [
        ("far", "Enter a date as YYYY-MM-DD."),
        ("", "Choose the date the key expires."),
        ("past", services.EXPIRY_IN_PAST),
        ("too-far", services.EXPIRY_TOO_FAR),
    ],
)
def test_a_bad_date_is_refused_and_what_was_typed_stays(
    console: Client, alice: User, expires_on: str, message: str
) -> None:
    today = timezone.now().astimezone(UTC).date()
    typed = {
        "past": (today - timedelta(days=1)).isoformat(),
        "too-far": (today + timedelta(days=367)).isoformat(),
    }.get(expires_on, expires_on)

    response = create(
        console, name="Typed name", environment="live", expires="date", expires_on=typed
    )

    assert response.status_code == 422
    assert message in text_of(response)
    html = response.content.decode()
    assert 'value="Typed name"' in html
    assert 'name="expires_on" id="id_expires_on"' in html and f'value="{typed}"' in html
    assert re.search(r'value="date"[^>]*\n?\s*checked', html)
    assert re.search(r'value="live"[^>]*\n?\s*checked', html)
    assert not ApiKey.objects.filter(owner=alice).exists()


def test_an_htmx_create_with_a_bad_date_swaps_the_form_with_its_message(
    console: Client, alice: User
) -> None:
    response = create(console, headers=HTMX, expires="date", expires_on="")

    assert response.status_code == 422
    assert "Choose the date the key expires." in text_of(response)
    assert 'id="create-area"' in response.content.decode()
    assert "<html" not in response.content.decode()


def test_a_signed_out_create_comes_back_with_the_expiry_typed(alice: User) -> None:
    client = Client()
    response = create(client, headers=HTMX, expires="date", expires_on="2027-03-04")

    client.force_login(alice)
    page = client.get(unquote(response["HX-Redirect"].split("next=", 1)[1])).content.decode()

    assert re.search(r'value="date"[^>]*\n?\s*checked', page)
    assert 'value="2027-03-04"' in page
    assert not ApiKey.objects.exists()


def test_a_key_expiring_within_a_week_is_flagged_with_its_time_left(
    console: Client, alice: User
) -> None:
    now = timezone.now()
    services.create_key(
        owner=alice,
        name="Soon",
        environment="test",
        actor=OWNER,
        expires_at=now + timedelta(days=3, hours=2),
    )
    services.create_key(
        owner=alice,
        name="Later",
        environment="test",
        actor=OWNER,
        expires_at=now + timedelta(days=30, hours=2),
    )

    page = text_of(console.get(KEYS_URL))

    assert "Soon" in page and "Active Expires soon: expires in 3 days" in page
    assert "Active expires in 4 weeks" in page
    assert page.count("Expires soon") == 1


def test_an_expired_key_shows_as_expired_not_revoked(
    console: Client, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    api_key, _ = services.create_key(
        owner=alice,
        name="Short-lived",
        environment="test",
        actor=OWNER,
        expires_at=now + timedelta(days=7),
    )
    move_clock(monkeypatch, now + timedelta(days=8))

    response = console.get(KEYS_URL)

    page = text_of(response)
    assert "Short-lived" in page and "Expired" in page
    assert "Revoked" not in page and "expires in" not in page
    assert f'href="{roll_url(api_key)}"' not in response.content.decode()  # nothing to roll
