"""Helpers shared by the tests/apikeys/rolling test modules (plain functions and constants)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apikeys import rolling, services
from apikeys.models import ApiKey

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def roll(api_key: ApiKey, grace: timedelta) -> str:
    _, raw = rolling.roll_key(api_key, grace=grace, actor=services.Actor.command("tests"))
    return raw
