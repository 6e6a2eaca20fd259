"""A failed render is refunded exactly once whatever happens: fail() runs its transaction
again when PostgreSQL gives it up as a deadlock, and refundfailedgenerations finds any
failure whose refund never committed (issue 18)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations import services as generations
from clipia_console.generations.models import Generation
from tests.support import generate

pytestmark = pytest.mark.usefixtures("catalog", "funded")


class Deadlock(Exception):
    sqlstate = "40P01"


def test_a_refund_the_database_gives_up_as_a_deadlock_runs_again(
    live_key: tuple[ApiKey, str],
) -> None:
    _, raw = live_key
    failed = generate(raw).json()["id"]
    deadlocks = [1]

    def deadlock_once(execute: Any, sql: str, *args: Any) -> Any:
        if sql.startswith("UPDATE") and "balance" in sql and deadlocks:
            deadlocks.pop()
            raise OperationalError("deadlock detected") from Deadlock()
        return execute(sql, *args)

    with connection.execute_wrapper(deadlock_once):
        assert generations.fail(failed, "renderer crashed")

    assert not deadlocks
    assert Generation.objects.get(pk=failed).status == "failed"
    owner = Generation.objects.get(pk=failed).owner_id
    assert credits.balance_of(owner) == credits.ledger_sum(owner) == 100
    assert LedgerEntry.objects.filter(kind="refund").count() == 1


def test_refundfailedgenerations_refunds_a_lost_refund_once(
    live_key: tuple[ApiKey, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, raw = live_key
    lost = generate(raw).json()["id"]
    refunded = generate(raw).json()["id"]
    assert generations.fail(refunded, "renderer crashed")
    # A failure whose refund never committed (a process killed in between, older data).
    Generation.objects.filter(pk=lost).update(status=Generation.Status.FAILED)

    call_command("refundfailedgenerations")
    call_command("refundfailedgenerations")

    owner = Generation.objects.get(pk=lost).owner_id
    assert credits.balance_of(owner) == credits.ledger_sum(owner) == 100
    assert LedgerEntry.objects.filter(kind="refund").count() == 2
    assert capsys.readouterr().out.splitlines() == [
        "Refunded 1 failed generation.",
        "Refunded 0 failed generations.",
    ]
