"""Fixtures shared by the tests/api test modules."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.api.helpers import World
from tests.support import MakeKey


@pytest.fixture
def world(alice: Any, bob: Any, make_key: MakeKey) -> World:
    return World(alice, bob, make_key)


@pytest.fixture
def schema(api: Client) -> dict[str, Any]:
    response = api.get("/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())
