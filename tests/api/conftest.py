"""Fixtures shared by the tests/api test modules."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import World
from tests.support import MakeKey


@pytest.fixture
def world(alice: Any, bob: Any, make_key: MakeKey) -> World:
    return World(alice, bob, make_key)
