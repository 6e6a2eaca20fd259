"""What a key's row (and page) says of it: exposed after a public report, in a roll's grace,
its old secret retired, a roll ended early or rolled again."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apikeys import rolling, services
from apikeys.models import ApiKey, ApiKeyEvent
from tests.console.helpers import (
    KEYS_URL,
    OWNER,
    end_grace_url,
    move_clock,
    roll_url,
    text_of,
    token,
    v1_account,
)


def test_a_key_revoked_after_a_public_report_shows_as_exposed(
    console: Client, live_key: tuple[ApiKey, str]
) -> None:
    row, raw_key = live_key
    report = Client().post(
        "/v1/keys/revoke", data=json.dumps({"keys": [raw_key]}), content_type="application/json"
    )
    assert report.status_code == 202

    page = text_of(console.get(KEYS_URL))

    revoked_on = ApiKey.objects.get(pk=row.pk).revoked_at
    assert revoked_on is not None
    on = f"{revoked_on:%b} {revoked_on.day}, {revoked_on.year}"
    assert f"Exposed — revoked on {on} after a public report" in page


def test_a_key_revoked_by_its_owner_is_not_called_exposed(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    services.revoke_key(row, actor=OWNER)
    page = text_of(console.get(KEYS_URL))
    assert "Revoked" in page and "Exposed" not in page


def test_a_rolled_key_in_its_grace_shows_when_its_old_secret_was_last_used(
    console: Client, test_key: tuple[ApiKey, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    row, old_key = test_key
    rolling.roll_key(row, grace=timedelta(hours=24), actor=OWNER)

    assert "old secret last used never" in text_of(console.get(KEYS_URL))

    now = timezone.now()
    assert v1_account(old_key) == 200  # the old secret, still in its grace
    move_clock(monkeypatch, now + timedelta(minutes=3, seconds=5))
    response = console.get(KEYS_URL)

    assert "old secret last used 3 minutes ago" in text_of(response)
    assert f'action="{end_grace_url(row)}"' in response.content.decode()
    assert "End grace now" in text_of(response)


def test_when_the_old_secret_retires_the_row_says_so_for_a_day_and_the_owner_is_told(
    console: Client,
    test_key: tuple[ApiKey, str],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Issue 17: the row said only "Active" once the old secret had stopped, with no
    trace and no e-mail."""
    from django.core import mail
    from django.core.management import call_command

    row, old_key = test_key
    rolling.roll_key(row, grace=timedelta(hours=1), actor=OWNER)
    deadline = timezone.now() + timedelta(hours=1)

    move_clock(monkeypatch, deadline + timedelta(minutes=5))
    assert v1_account(old_key) == 401
    before_the_job = text_of(console.get(KEYS_URL))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sendkeynotices", stdout=None)
    after_the_job = text_of(console.get(KEYS_URL))
    move_clock(monkeypatch, deadline + timedelta(hours=25))
    next_day = text_of(console.get(KEYS_URL))

    note = "Old secret retired 5 minutes ago — grace ended"
    assert note in before_the_job and note in after_the_job
    assert "Old secret retired" not in next_day
    assert [message.subject for message in mail.outbox] == [
        "The old secret of your Clipia API key “alice test” stopped working"
    ]
    assert "(grace ended)" in mail.outbox[0].body
    assert row.events.filter(kind=ApiKeyEvent.Kind.SECRET_RETIRED, reason="grace ended").exists()


def test_a_roll_that_ends_early_says_so_in_the_row(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    rolling.roll_key(row, grace=timedelta(days=7), quiet_after=timedelta(hours=24), actor=OWNER)

    page = text_of(console.get(KEYS_URL))

    assert "or once it has been silent for 24 hours after the new one is in use" in page


def test_rolling_again_during_a_grace_says_the_older_secret_retires(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, first_key = test_key
    rolling.roll_key(row, grace=timedelta(days=7), actor=OWNER)
    assert "rolling again retires it at once" in text_of(console.get(roll_url(row)))

    assert console.post(roll_url(row), {"form_token": token(), "grace": "1h"}).status_code == 200

    assert v1_account(first_key) == 401


def test_the_key_page_names_an_exposed_key(console: Client, live_key: tuple[ApiKey, str]) -> None:
    row, raw_key = live_key
    Client().post(
        "/v1/keys/revoke", data=json.dumps({"keys": [raw_key]}), content_type="application/json"
    )
    page = text_of(console.get(f"{KEYS_URL}{row.pk}/"))
    assert "Exposed — revoked on" in page and "after a public report" in page
    assert "Roll…" not in page


def test_an_old_secret_retired_after_a_public_report_is_named_on_the_row(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, old_key = test_key
    _, new_key = rolling.roll_key(row, grace=timedelta(days=7), actor=OWNER)
    Client().post(
        "/v1/keys/revoke", data=json.dumps({"keys": [old_key]}), content_type="application/json"
    )

    page = text_of(console.get(KEYS_URL))

    today = timezone.now()
    assert f"Old secret exposed — retired on {today:%b} {today.day}, {today.year}" in page
    assert "Active" in page and "End grace now" not in page
    assert v1_account(new_key) == 200
    # Rolling again starts afresh: the note belongs to the roll it ended.
    rolling.roll_key(row, grace=timedelta(0), actor=OWNER)
    assert "Old secret exposed" not in text_of(console.get(KEYS_URL))
