"""Noting that a key was used: last_used_at and its address, at most once per minute per
key, never failing or holding up the request."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, connections, models, router, transaction

from apikeys import audit
from apikeys.conf import conf
from apikeys.credentials import Caller
from apikeys.models import ApiKey, ApiKeyEvent
from apikeys.secret_check import CURRENT

logger = logging.getLogger(__name__)


def note_use(api_key: ApiKey, secret: str, caller: Caller, now: datetime) -> None:
    """Move last_used_at (and its address; for a rolled key's old secret,
    previous_last_used_at) forward at most once per resolution window, so a busy key costs
    no write per request; audit the first use. Never fails or holds up the request: a row
    someone else holds (a revoke in flight, another worker noting the same use) is
    skipped, and the next request notes the use instead."""
    resolution = timedelta(seconds=conf.LAST_USED_RESOLUTION_SECONDS)
    field = "last_used_at" if secret == CURRENT else "previous_last_used_at"
    last = getattr(api_key, field)
    if last is not None and now - last < resolution:
        return
    stale = (
        models.Q(**{f"{field}__isnull": True})
        if last is None
        else models.Q(**{f"{field}__lt": now - resolution})
    )
    changes: dict[str, Any] = {field: now}
    if secret == CURRENT:
        changes["last_used_address"] = caller.address
    # FOR UPDATE SKIP LOCKED where the database has it; SQLite, whose writers share one
    # lock, fails at once instead (without_lock_waits).
    unlocked = ApiKey.objects.filter(pk=api_key.pk).order_by().select_for_update(skip_locked=True)
    try:
        with without_lock_waits(), transaction.atomic():
            updated = ApiKey.objects.filter(stale, pk__in=unlocked.values("pk")).update(**changes)
            if updated and last is None and secret == CURRENT:
                audit.record(api_key, ApiKeyEvent.Kind.FIRST_USED, audit.Actor.api(caller.address))
    except DatabaseError:
        # Expected now and then under SQLite write contention, hence info, not warning.
        logger.info("could not record api key use", extra={"key_prefix": api_key.display_prefix})
        return
    setattr(api_key, field, now)


@contextmanager
def without_lock_waits() -> Iterator[None]:
    """On SQLite, fail at once ("database is locked") instead of waiting up to
    OPTIONS["timeout"] for the database's one write lock. Other databases skip locked rows
    instead (see note_use)."""
    connection = connections[router.db_for_write(ApiKey)]
    if connection.vendor != "sqlite":
        yield
        return
    # Python's sqlite3 waits 5 seconds unless told otherwise; Django passes OPTIONS on.
    wait_ms = int(float(connection.settings_dict["OPTIONS"].get("timeout", 5)) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {wait_ms}")
