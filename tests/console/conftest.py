"""The console's test client: alice, signed in a moment ago (no password confirmation due)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client


@pytest.fixture
def console(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client
