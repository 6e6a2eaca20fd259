"""Keys that expire: chosen at creation (at most a year ahead), refused like a revoked key
once expired, and their owners warned by email 7 days and 1 day before, once each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from apikeys import services
from apikeys.exceptions import KeyLimitReached
from apikeys.models import ApiKey
from clipia_console.notifications import key_notices as notices
from clipia_console.notifications import sending
from tests.support import bearer

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW


def expiring_key(owner: User, expires_at: datetime, name: str = "expiring") -> ApiKey:
    row, _ = services.create_key(
        owner=owner,
        name=name,
        environment="live",
        actor=services.Actor.command("tests"),
        expires_at=expires_at,
    )
    return row


def test_a_key_can_expire_at_most_a_year_ahead(alice: User, now: datetime) -> None:
    with pytest.raises(ValidationError, match="at most a year"):
        expiring_key(alice, now + timedelta(days=367))
    with pytest.raises(ValidationError, match="future"):
        expiring_key(alice, now - timedelta(minutes=1))


def test_createapikey_sets_an_expiry_in_days(alice: User, api: Client) -> None:
    out = StringIO()

    call_command(
        "createapikey", "--user", "alice", "--env", "test", "--expires-in-days", "30", stdout=out
    )

    row = ApiKey.objects.get()
    assert row.expires_at is not None
    assert timedelta(days=29) < row.expires_at - row.created_at <= timedelta(days=30)
    assert api.get("/v1/account", **bearer(out.getvalue().strip())).status_code == 200


def test_createapikey_refuses_an_expiry_past_a_year(alice: User) -> None:
    with pytest.raises(CommandError, match="1 to 366"):
        call_command("createapikey", "--user", "alice", "--env", "test", "--expires-in-days", "400")


def test_owners_are_warned_seven_days_and_one_day_before_once_each(
    alice: User,
    now: datetime,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    expiring_key(alice, now + timedelta(days=10), name="Zapier integration")

    def run_at(moment: datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("sendkeynotices", stdout=StringIO())

    run_at(now + timedelta(days=2))  # 8 days ahead: nothing yet
    assert mail.outbox == []
    run_at(now + timedelta(days=3, minutes=1))
    run_at(now + timedelta(days=3, minutes=5))  # an overlapping or repeated run
    assert len(mail.outbox) == 1
    run_at(now + timedelta(days=9, minutes=1))
    run_at(now + timedelta(days=9, hours=1))

    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 2
    assert all("Zapier integration" in subject for subject in subjects)
    assert mail.outbox[0].to == ["alice@example.com"]


def test_a_revoked_key_gets_no_expiry_warning(
    alice: User, now: datetime, django_capture_on_commit_callbacks: Any
) -> None:
    row = expiring_key(alice, now + timedelta(days=2))
    services.revoke_key(row, actor=services.Actor.command("tests"))

    with django_capture_on_commit_callbacks(execute=True):
        notices.send_expiry_warnings(now)

    assert mail.outbox == []


def test_a_failing_mail_server_fails_no_one(
    alice: User,
    now: datetime,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    expiring_key(alice, now + timedelta(days=2))

    def down(*args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(sending, "send_mail", down)
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.send_expiry_warnings(now) == 1  # claimed, and its failure logged


def test_every_authenticated_answer_names_the_environment_and_the_expiry(
    api: Client, alice: User
) -> None:
    expires_at = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    row, raw = services.create_key(
        owner=alice, name="expiring", environment="live", actor=services.Actor.command("t")
    )
    ApiKey.objects.filter(pk=row.pk).update(expires_at=expires_at)
    _, forever = services.create_key(
        owner=alice, name="forever", environment="test", actor=services.Actor.command("t")
    )

    expiring = api.get("/v1/account", **bearer(raw))
    missing = api.get("/v1/models/no/such-model", **bearer(raw))
    never = api.get("/v1/account", **bearer(forever))
    anonymous = api.get("/v1/account")

    assert expiring["Clipia-Environment"] == "live"
    assert expiring["Clipia-Key-Expires"] == "2027-01-15T08:00:00+00:00"
    assert (
        missing.status_code == 404
        and missing["Clipia-Key-Expires"] == expiring["Clipia-Key-Expires"]
    )
    assert never["Clipia-Environment"] == "test" and "Clipia-Key-Expires" not in never
    assert "Clipia-Environment" not in anonymous


def test_an_expired_key_no_longer_counts_toward_the_active_key_cap(
    alice: User, settings: Any
) -> None:
    settings.APIKEYS_MAX_ACTIVE_KEYS = 1
    old = expiring_key(alice, datetime.now(UTC) + timedelta(days=1), name="old")
    ApiKey.objects.filter(pk=old.pk).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))

    new = expiring_key(alice, datetime.now(UTC) + timedelta(days=30), name="new")

    assert new.name == "new"
    with pytest.raises(KeyLimitReached):
        expiring_key(alice, datetime.now(UTC) + timedelta(days=30), name="one too many")
