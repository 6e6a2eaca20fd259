"""The one sending rule of notices: claimed once in the deciding transaction, sent after
it commits, ``sent_at`` set when sent, a failure logged and retried by sendkeynotices
after 5 minutes, and never sent twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from clipia_console.notifications import sending
from clipia_console.notifications.models import Notice
from tests.support import MakeKey, set_clock

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
Capture = Callable[..., Any]


def broken(*args: Any, **kwargs: Any) -> int:
    raise ConnectionRefusedError("smtp down")


def test_a_notice_is_claimed_once_and_sent_after_commit(
    alice: User, make_key: MakeKey, django_capture_on_commit_callbacks: Capture
) -> None:
    key, _ = make_key(alice, "live")

    with django_capture_on_commit_callbacks(execute=True):
        first = sending.claim(key, "exposed", NOW, "Subject", "Body")
        again = sending.claim(key, "exposed", NOW, "Subject", "Body")
        assert mail.outbox == []  # nothing leaves before the commit

    assert first is not None and again is None
    assert [(m.subject, m.to) for m in mail.outbox] == [("Subject", ["alice@example.com"])]
    first.refresh_from_db()
    assert first.sent_at is not None and first.channel == Notice.Channel.EMAIL


def test_a_notice_claimed_in_a_rolled_back_transaction_is_never_sent(
    alice: User, make_key: MakeKey, django_capture_on_commit_callbacks: Capture
) -> None:
    key, _ = make_key(alice, "live")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        sending.claim(key, "exposed", NOW, "Subject", "Body")
        raise RuntimeError("the deciding change failed")

    assert mail.outbox == [] and not Notice.objects.exists()


def test_a_failed_send_is_logged_and_retried_after_five_minutes_once(
    alice: User,
    make_key: MakeKey,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Capture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key, _ = make_key(alice, "live")
    set_clock(monkeypatch, NOW)
    monkeypatch.setattr(sending, "send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        notice = sending.claim(key, "budget_80", NOW, "Subject", "Body")
    assert notice is not None and "could not send the 80% budget notice" in caplog.text
    monkeypatch.undo()

    set_clock(monkeypatch, NOW + timedelta(minutes=4))
    call_command("sendkeynotices", stdout=StringIO())
    assert mail.outbox == []  # too early: the after-commit send may still be running
    set_clock(monkeypatch, NOW + timedelta(minutes=5))
    call_command("sendkeynotices", stdout=StringIO())
    call_command("sendkeynotices", stdout=StringIO())

    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert notice.sent_at == NOW + timedelta(minutes=5)


def test_a_sent_notice_is_not_sent_again(
    alice: User, make_key: MakeKey, django_capture_on_commit_callbacks: Capture
) -> None:
    key, _ = make_key(alice, "live")
    with django_capture_on_commit_callbacks(execute=True):
        notice = sending.claim(key, "exposed", NOW, "Subject", "Body")
    assert notice is not None

    assert sending.send(notice.pk) is False
    assert sending.retry_unsent(NOW + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
