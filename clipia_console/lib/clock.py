"""The one clock of the application code. Tests move time by patching ``clock.now``
(``tests.support.set_clock``), never by sleeping; everything that asks the time asks here,
so a moved clock is seen by the request path, the charge and the pages alike."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """The current time, aware, in UTC."""
    return timezone.now()
