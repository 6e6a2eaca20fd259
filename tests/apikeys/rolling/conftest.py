"""Fixtures shared by the tests/apikeys/rolling test modules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from clipia_console.lib import clock as app_clock
from tests.apikeys.rolling.helpers import START


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], datetime]:
    """Moves both the request path's clock and the lifecycle's to START + offset."""

    def move_to(offset: timedelta) -> datetime:
        moment = START + offset
        monkeypatch.setattr(app_clock, "now", lambda: moment)
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        return moment

    move_to(timedelta(0))
    return move_to
