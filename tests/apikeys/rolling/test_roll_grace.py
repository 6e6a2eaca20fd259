"""Rolling a key: a new secret shown once, the same key (identity, settings, trail), and the
old secret working through its grace, retired when it ends or once it goes quiet; still one
query, and no request lost under a steady stream."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apikeys import rolling, services
from apikeys.exceptions import CannotRoll
from apikeys.models import ApiKey, ApiKeyEvent
from tests.apikeys.helpers import ACCOUNT
from tests.apikeys.rolling.helpers import START, roll
from tests.support import MakeKey, bearer
from tests.system.servers import gunicorn, subprocess_database_url


def test_a_rolled_key_answers_to_its_new_secret_and_keeps_its_identity(
    api: Client, test_key: tuple[ApiKey, str], clock: Any
) -> None:
    row, old = test_key
    new = roll(row, timedelta(hours=1))

    response = api.get(ACCOUNT, **bearer(new))

    assert new != old and new.startswith(row.display_prefix)
    assert response.status_code == 200
    assert response.json()["key"]["prefix"] == row.display_prefix
    assert response.json()["key"]["name"] == "alice test"
    assert ApiKey.objects.count() == 1
    kinds = list(row.events.order_by("created_at", "id").values_list("kind", flat=True))
    assert kinds[:2] == [ApiKeyEvent.Kind.CREATED, ApiKeyEvent.Kind.ROLLED]


def test_the_old_secret_works_through_its_grace_and_not_after(
    api: Client, test_key: tuple[ApiKey, str], clock: Any
) -> None:
    row, old = test_key
    roll(row, timedelta(hours=1))

    clock(timedelta(minutes=59))
    during = api.get(ACCOUNT, **bearer(old)).status_code
    clock(timedelta(hours=1))
    after = api.get(ACCOUNT, **bearer(old)).status_code

    assert (during, after) == (200, 401)


def roll_ending_early(api_key: ApiKey, grace: timedelta, silent: timedelta) -> str:
    _, raw = rolling.roll_key(
        api_key, grace=grace, quiet_after=silent, actor=services.Actor.command("tests")
    )
    return raw


@pytest.mark.parametrize("grace", [timedelta(days=7), timedelta(hours=24)])
def test_an_hourly_client_keeps_the_old_secret_until_the_deadline_chosen(
    api: Client, test_key: tuple[ApiKey, str], clock: Any, grace: timedelta
) -> None:
    """Issue 17: with the new secret in use, the old one retired after 15 quiet minutes,
    long before the deadline the row promised. By default it works until the deadline."""
    row, old = test_key
    new = roll(row, grace)
    assert api.get(ACCOUNT, **bearer(new)).status_code == 200  # the panel's "Try it"

    answers = set()
    for hour in range(1, int(grace.total_seconds() // 3600)):
        clock(timedelta(hours=hour, minutes=1))
        assert api.get(ACCOUNT, **bearer(new)).status_code == 200
        answers.add(api.get(ACCOUNT, **bearer(old)).status_code)
    clock(grace)
    after = api.get(ACCOUNT, **bearer(old)).status_code

    assert (answers, after) == ({200}, 401)


def test_an_opted_in_early_end_retires_the_old_secret_once_silent_that_long(
    api: Client, test_key: tuple[ApiKey, str], clock: Any
) -> None:
    row, old = test_key
    new = roll_ending_early(row, timedelta(days=7), timedelta(hours=1))
    assert api.get(ACCOUNT, **bearer(old)).status_code == 200  # still deployed somewhere

    clock(timedelta(minutes=5))
    assert api.get(ACCOUNT, **bearer(new)).status_code == 200  # the new one is live
    clock(timedelta(minutes=59, seconds=59))
    still = api.get(ACCOUNT, **bearer(old)).status_code
    clock(timedelta(hours=2, minutes=1))
    silent = api.get(ACCOUNT, **bearer(old)).status_code

    assert (still, silent) == (200, 401)
    assert api.get(ACCOUNT, **bearer(new)).status_code == 200


def test_an_early_end_is_never_shorter_than_an_hour(test_key: tuple[ApiKey, str]) -> None:
    row, _ = test_key
    with pytest.raises(ValueError, match="an hour or more"):
        roll_ending_early(row, timedelta(days=7), timedelta(minutes=15))


def test_right_after_a_roll_the_old_secret_was_last_used_when_the_key_was(
    api: Client, test_key: tuple[ApiKey, str], clock: Any
) -> None:
    row, old = test_key
    assert api.get(ACCOUNT, **bearer(old)).status_code == 200
    clock(timedelta(hours=3))

    roll(row, timedelta(days=7))

    row.refresh_from_db()
    assert row.previous_last_used_at == START


def test_the_grace_never_outlives_the_key(
    api: Client, test_key: tuple[ApiKey, str], clock: Any
) -> None:
    row, old = test_key
    ApiKey.objects.filter(pk=row.pk).update(expires_at=START + timedelta(hours=2))
    row.refresh_from_db()
    roll(row, timedelta(days=7))

    row.refresh_from_db()
    assert row.previous_expires_at == START + timedelta(hours=2)


def test_ending_the_grace_retires_the_old_secret_at_once_and_audits_why(
    api: Client, test_key: tuple[ApiKey, str], clock: Any
) -> None:
    row, old = test_key
    new = roll(row, timedelta(hours=24))

    assert rolling.end_grace(row, actor=services.Actor.command("tests"))

    assert api.get(ACCOUNT, **bearer(old)).status_code == 401
    assert api.get(ACCOUNT, **bearer(new)).status_code == 200
    retired = row.events.get(kind=ApiKeyEvent.Kind.SECRET_RETIRED)
    assert retired.reason == rolling.ENDED_BY_OWNER


def test_a_roll_with_no_grace_stops_the_old_secret_now(
    api: Client, test_key: tuple[ApiKey, str], clock: Any
) -> None:
    row, old = test_key
    roll(row, timedelta(0))

    assert api.get(ACCOUNT, **bearer(old)).status_code == 401


def test_a_revoked_or_expired_key_cannot_be_rolled(
    alice: Any, make_key: MakeKey, clock: Any
) -> None:
    revoked, _ = make_key(alice, name="revoked")
    services.revoke_key(revoked, actor=services.Actor.command("tests"))
    expired, _ = make_key(alice, name="expired")
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=START - timedelta(seconds=1))

    for api_key in (revoked, expired):
        with pytest.raises(CannotRoll):
            roll(api_key, timedelta(hours=1))
    assert not ApiKeyEvent.objects.filter(kind=ApiKeyEvent.Kind.ROLLED).exists()


def test_a_request_with_the_old_secret_in_its_grace_is_still_one_query(
    api: Client, test_key: tuple[ApiKey, str], clock: Any
) -> None:
    row, old = test_key
    roll(row, timedelta(hours=1))
    api.get(ACCOUNT, **bearer(old))  # notes the old secret's use

    with CaptureQueriesContext(connection) as captured:
        response = api.get(ACCOUNT, **bearer(old))

    assert response.status_code == 200
    assert len([q for q in captured.captured_queries if "apikeys_apikey" in q["sql"]]) == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_roll_during_a_steady_stream_of_requests_loses_none(
    alice: Any, make_key: MakeKey, tmp_path: Path
) -> None:
    row, old = make_key(alice, "test")
    results: list[tuple[str, int]] = []
    lock = threading.Lock()
    stop = threading.Event()
    secrets = {"current": old}

    with gunicorn(tmp_path, database_url=subprocess_database_url(), workers=3) as server:

        def stream() -> None:
            for n in range(2000):  # bounded
                if stop.is_set():
                    return
                with lock:
                    key = secrets["current"] if n % 2 else old
                status = server.request(
                    "GET", f"{ACCOUNT}?n={n}", headers={"Authorization": f"Bearer {key}"}
                )[0]
                with lock:
                    results.append(("old" if key == old else "new", status))

        threads = [threading.Thread(target=stream) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            while len(results) < 30:
                stop.wait(0.05)
            new = roll(row, timedelta(hours=1))
            with lock:
                secrets["current"] = new
            while sum(1 for which, _ in results if which == "new") < 30:
                stop.wait(0.05)
            # Answers counted before the grace ends all came during it; those that arrive
            # while end_grace runs may be either.
            in_grace = len(results)
            rolling.end_grace(row, actor=services.Actor.command("tests"))
            ended = len(results)
            while len(results) < ended + 30:
                stop.wait(0.05)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)

    during = results[:in_grace]
    after = results[ended + 6 :]  # requests in flight as the grace ended may go either way
    assert {status for _, status in during} == {200}
    assert {status for which, status in after if which == "new"} == {200}
    assert {status for which, status in after if which == "old"} == {401}
