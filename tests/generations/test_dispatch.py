"""A dispatcher that fails after the charge committed: the customer still gets 201 and
the generation, and redispatchgenerations hands it over later."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.generations.dispatch import Handover, dispatch, undispatched
from clipia_console.generations.models import Generation
from tests import support
from tests.support import generate

pytestmark = pytest.mark.usefixtures("catalog", "funded")

FAILING = "tests.support.failing_dispatcher"
RECORDING = "tests.support.recording_dispatcher"


@pytest.fixture(autouse=True)
def _no_dispatches_yet() -> None:
    support.dispatched.clear()


def test_a_failing_dispatcher_still_answers_201_with_the_charged_generation(
    live_key: tuple[ApiKey, str],
    django_capture_on_commit_callbacks: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, raw = live_key
    with (
        override_settings(CLIPIA_GENERATION_DISPATCHER=FAILING),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = generate(raw)

    assert response.status_code == 201
    generation = Generation.objects.get(pk=response.json()["id"])
    assert generation.status == "queued"
    assert generation.dispatched_at is None
    assert credits.balance_of(generation.owner_id) == 80
    assert "redispatchgenerations" in caplog.text


def test_redispatch_hands_stuck_generations_over_once(
    live_key: tuple[ApiKey, str],
    django_capture_on_commit_callbacks: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, raw = live_key
    with (
        override_settings(CLIPIA_GENERATION_DISPATCHER=FAILING),
        django_capture_on_commit_callbacks(execute=True),
    ):
        stuck = generate(raw).json()["id"]
    with override_settings(CLIPIA_GENERATION_DISPATCHER=RECORDING):
        call_command("redispatchgenerations")  # too recent: maybe still being dispatched
        assert support.dispatched == []
        Generation.objects.filter(pk=stuck).update(created_at=timezone.now() - timedelta(minutes=6))
        call_command("redispatchgenerations")
        call_command("redispatchgenerations")

    assert [str(pk) for pk in support.dispatched] == [stuck]
    assert Generation.objects.get(pk=stuck).dispatched_at is not None
    assert "Dispatched 1 of 1" in capsys.readouterr().out


def test_a_dispatched_generation_is_not_redispatched(
    live_key: tuple[ApiKey, str], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _, raw = live_key
    with override_settings(CLIPIA_GENERATION_DISPATCHER=RECORDING):
        with django_capture_on_commit_callbacks(execute=True):
            generate(raw)
        Generation.objects.update(created_at=timezone.now() - timedelta(hours=1))
        call_command("redispatchgenerations")
    assert len(support.dispatched) == 1


def test_redispatch_exits_non_zero_when_the_dispatcher_still_fails(
    live_key: tuple[ApiKey, str], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _, raw = live_key
    with override_settings(CLIPIA_GENERATION_DISPATCHER=FAILING):
        with django_capture_on_commit_callbacks(execute=True):
            generate(raw)
        Generation.objects.update(created_at=timezone.now() - timedelta(hours=1))
        with pytest.raises(CommandError, match="1 could not be dispatched"):
            call_command("redispatchgenerations")


def test_a_paid_generation_answers_201_when_the_database_drops_after_the_charge(
    live_key: tuple[ApiKey, str],
    django_capture_on_commit_callbacks: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The connection fails at the first write after the charge committed (noting the
    dispatch): the customer was charged, so the answer is 201 with the generation, and a
    retry is not invited (issue 18: it answered 503 "retry", and a retry charged again)."""
    _, raw = live_key

    def drop_the_dispatch_write(execute: Any, sql: str, *args: Any) -> Any:
        if sql.startswith("UPDATE") and "dispatched_at" in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, *args)

    with (
        override_settings(CLIPIA_GENERATION_DISPATCHER=RECORDING),
        connection.execute_wrapper(drop_the_dispatch_write),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = generate(raw)

    assert response.status_code == 201
    generation = Generation.objects.get(pk=response.json()["id"])
    assert generation.dispatched_at is None  # left for redispatchgenerations
    assert support.dispatched == []
    assert credits.balance_of(generation.owner_id) == 80
    assert "redispatchgenerations will retry" in caplog.text


def test_overlapping_redispatch_runs_hand_a_generation_over_once(
    live_key: tuple[ApiKey, str], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _, raw = live_key
    with (
        override_settings(CLIPIA_GENERATION_DISPATCHER=FAILING),
        django_capture_on_commit_callbacks(execute=True),
    ):
        stuck = generate(raw).json()["id"]
    Generation.objects.filter(pk=stuck).update(created_at=timezone.now() - timedelta(minutes=6))
    first_run = undispatched(older_than=timedelta(minutes=5), limit=10)
    second_run = undispatched(older_than=timedelta(minutes=5), limit=10)  # listed meanwhile

    with override_settings(CLIPIA_GENERATION_DISPATCHER=RECORDING):
        outcomes = [dispatch(pk) for pk in first_run + second_run]

    assert outcomes == [Handover.DISPATCHED, Handover.TAKEN]
    assert [str(pk) for pk in support.dispatched] == [stuck]
