"""Fixtures shared by the tests/billing test modules."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from clipia_console.billing import credits


@pytest.fixture
def rich(alice: User) -> User:
    credits.grant(alice, 10_000, reason="test funds")
    return alice
