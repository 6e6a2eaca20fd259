"""The console's test client: alice, signed in a moment ago (no password confirmation due)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone


@pytest.fixture
def console(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch, console: Client) -> None:
    """16 minutes after the console's sign-in: past the confirmation window."""
    moment = timezone.now() + timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: moment)
