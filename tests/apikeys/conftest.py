"""Fixtures shared by the tests/apikeys test modules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from clipia_console.lib import clock as app_clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], datetime]:
    """Sets the request path's clock to START plus the given offset; returns that time."""

    def move_to(offset: timedelta) -> datetime:
        moment = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.get_current_timezone()) + offset
        monkeypatch.setattr(app_clock, "now", lambda: moment)
        return moment

    move_to(timedelta(0))
    return move_to
