"""Emails at 80 % and 100 % of a window's budget: once per window each, after commit,
and a failing mail server never fails the generation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail

from clipia_console.billing import credits
from clipia_console.config.mail import email_settings
from tests.support import FAST, MakeKey, budget, generate, set_clock

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
def rich(alice: User) -> User:
    credits.grant(alice, 10_000, reason="test funds")
    return alice


def test_the_owner_is_told_at_80_and_100_percent_once_per_window(
    rich: User,
    make_key: MakeKey,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    key, raw = make_key(rich, "live", name="nightly renders")
    budget(key, 25, "day")  # 5 generations of 5 credits
    set_clock(monkeypatch, datetime(2026, 3, 4, 8, tzinfo=UTC))

    def spend(times: int) -> None:
        for _ in range(times):
            with django_capture_on_commit_callbacks(execute=True):
                generate(raw, FAST)

    spend(3)
    assert mail.outbox == []
    spend(1)  # 20 of 25: 80 %
    assert [message.subject for message in mail.outbox] == [
        "Clipia: your key 'nightly renders' has used 80 % of its budget"
    ]
    spend(2)  # 25 of 25, then refused
    assert len(mail.outbox) == 2
    assert "whole budget" in mail.outbox[1].subject
    assert mail.outbox[1].to == ["alice@example.com"]
    assert "2026-03-05 00:00 UTC" in mail.outbox[1].body
    assert raw not in mail.outbox[1].body

    set_clock(monkeypatch, datetime(2026, 3, 5, 8, tzinfo=UTC))
    spend(4)
    assert len(mail.outbox) == 3  # the new window's 80 %


def test_a_failing_mail_server_does_not_fail_the_generation(
    rich: User,
    make_key: MakeKey,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    key, raw = make_key(rich, "live")
    budget(key, 20, "day")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr("clipia_console.notifications.sending.send_mail", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = generate(raw)

    assert response.status_code == 201
    assert "could not send the 80% budget notice" in caplog.text


def test_email_url_configures_smtp() -> None:
    found = email_settings("smtp+tls://mailer:s%40cret@mail.example.com:2525")
    assert found["EMAIL_HOST"] == "mail.example.com"
    assert found["EMAIL_PORT"] == 2525
    assert found["EMAIL_HOST_USER"] == "mailer"
    assert found["EMAIL_HOST_PASSWORD"] == "s@cret"
    assert found["EMAIL_USE_TLS"] is True
    assert email_settings("smtps://mail.example.com")["EMAIL_PORT"] == 465
