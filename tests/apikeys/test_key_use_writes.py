"""What the fast path writes about a key's use: last_used_at at most once a minute, the first use
recorded once, a failed or locked write never failing or holding up the request."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apikeys import key_use
from apikeys.models import ApiKey, ApiKeyEvent
from apikeys.status import ApiKeyQuerySet
from tests.apikeys.helpers import ACCOUNT, apikey_queries
from tests.support import MakeKey, bearer


def test_last_used_at_is_written_at_most_once_per_minute(
    api: Client, test_key: tuple[ApiKey, str], clock: Callable[[timedelta], datetime]
) -> None:
    row, raw = test_key
    first = clock(timedelta(0))
    api.get(ACCOUNT, **bearer(raw))
    clock(timedelta(seconds=59))

    with CaptureQueriesContext(connection) as captured:
        response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 200
    assert not [q for q in apikey_queries(captured) if q.startswith("UPDATE")]
    row.refresh_from_db()
    assert row.last_used_at == first


def test_last_used_at_moves_forward_once_the_minute_has_passed(
    api: Client, test_key: tuple[ApiKey, str], clock: Callable[[timedelta], datetime]
) -> None:
    row, raw = test_key
    clock(timedelta(0))
    api.get(ACCOUNT, **bearer(raw))
    later = clock(timedelta(seconds=61))

    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.last_used_at == later


def test_the_first_use_is_recorded_once(
    api: Client, test_key: tuple[ApiKey, str], clock: Callable[[timedelta], datetime]
) -> None:
    row, raw = test_key
    for minutes in (0, 2, 4):
        clock(timedelta(minutes=minutes))
        assert api.get(ACCOUNT, **bearer(raw)).status_code == 200

    assert row.events.filter(kind=ApiKeyEvent.Kind.FIRST_USED).count() == 1


def test_a_failed_last_used_write_does_not_fail_the_request(
    api: Client, test_key: tuple[ApiKey, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    row, raw = test_key

    def locked(*args: object, **kwargs: object) -> int:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(ApiKeyQuerySet, "update", locked)

    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 200
    monkeypatch.undo()
    row.refresh_from_db()
    assert row.last_used_at is None


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_row_locked_elsewhere_is_skipped_not_waited_for(
    alice: User, make_key: MakeKey, caplog: pytest.LogCaptureFixture
) -> None:
    row, raw = make_key(alice)
    locked, release = threading.Event(), threading.Event()

    def hold_the_row() -> None:  # a revoke in flight, say, in another worker
        try:
            with transaction.atomic():
                list(ApiKey.objects.select_for_update().filter(pk=row.pk).values("pk"))
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    assert locked.wait(timeout=30)
    with connection.cursor() as cursor:
        # Safety net only: a waiting implementation would fail here (and log) instead of
        # hanging the suite.
        cursor.execute("SET lock_timeout = '5s'")
    try:
        response = Client().get(ACCOUNT, **bearer(raw))
    finally:
        release.set()
        holder.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert response.status_code == 200
    assert "could not record api key use" not in caplog.text
    row.refresh_from_db()
    assert row.last_used_at is None
    assert not row.events.filter(kind=ApiKeyEvent.Kind.FIRST_USED).exists()


def test_on_sqlite_noting_a_use_does_not_wait_for_the_write_lock(db: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: other databases skip locked rows instead")

    def busy_timeout() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            return int(cursor.fetchone()[0])

    configured = busy_timeout()
    with key_use.without_lock_waits():
        during = busy_timeout()

    assert configured > 0
    assert during == 0
    assert busy_timeout() == configured
