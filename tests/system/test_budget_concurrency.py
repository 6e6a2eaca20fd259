"""Budgets and revocation under real concurrency (PostgreSQL): each thread has its own
connection and they all start together."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from apikeys import services
from apikeys.models import ApiKey
from clipia_console.billing import credits, spending
from clipia_console.billing.models import LedgerEntry, UsageDay
from clipia_console.generations import services as generations
from clipia_console.generations.models import Generation, VideoModel
from tests.support import MOTION, MakeKey, all_at_once, bearer, budget

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalog"),
]

PRICE = 20


def generate_code(raw_key: str) -> Callable[[], str]:
    def job() -> str:
        response = Client().post(
            f"/v1/models/{MOTION}",
            data={"prompt": "a kite"},
            content_type="application/json",
            **bearer(raw_key),
        )
        return "created" if response.status_code == 201 else response.json()["error"]["code"]

    return job


def test_concurrent_generations_stop_exactly_at_the_budget(alice: Any, make_key: MakeKey) -> None:
    credits.grant(alice, 10_000, reason="funds")
    key, raw = make_key(alice, "live")
    budget(key, 5 * PRICE, "day")
    assert Client().get("/v1/key", **bearer(raw)).status_code == 200  # warm

    results = all_at_once([generate_code(raw) for _ in range(15)])

    assert sorted(map(str, results)) == ["created"] * 5 + ["key_budget_exceeded"] * 10
    key.refresh_from_db()
    assert key.budget_spent == 5 * PRICE
    assert credits.balance_of(alice.pk) == credits.ledger_sum(alice.pk) == 10_000 - 5 * PRICE
    assert LedgerEntry.objects.filter(kind="charge").count() == 5
    assert UsageDay.objects.get().generations == 5


def test_balance_refusals_under_a_budget_leave_no_partial_charge(
    alice: Any, make_key: MakeKey
) -> None:
    credits.grant(alice, 3 * PRICE, reason="funds")
    key, raw = make_key(alice, "live")
    budget(key, 10 * PRICE, "month")
    assert Client().get("/v1/key", **bearer(raw)).status_code == 200

    results = all_at_once([generate_code(raw) for _ in range(9)])

    assert sorted(map(str, results)) == ["created"] * 3 + ["insufficient_credits"] * 6
    key.refresh_from_db()
    assert key.budget_spent == 3 * PRICE
    assert credits.balance_of(alice.pk) == credits.ledger_sum(alice.pk) == 0
    assert UsageDay.objects.get().credits == 3 * PRICE


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"
        )
        return bool(cursor.fetchone()[0])


def test_once_revoke_returns_no_charge_starts(alice: Any, make_key: MakeKey) -> None:
    credits.grant(alice, 1000, reason="funds")
    key, _ = make_key(alice, "live")
    model = VideoModel.objects.get(pk=MOTION)
    charging, release = threading.Event(), threading.Event()
    revoked_at: list[float] = []

    def charge_in_flight() -> None:
        stale = ApiKey.objects.get(pk=key.pk)
        with transaction.atomic():
            spending.claim(stale, PRICE, timezone.now())  # holds the key row's lock
            charging.set()
            release.wait(timeout=30)
        connection.close()

    def revoke() -> None:
        charging.wait(timeout=30)
        services.revoke_key(ApiKey.objects.get(pk=key.pk), actor=services.Actor.command("t"))
        revoked_at.append(time.monotonic())
        connection.close()

    authenticated_before_revoke = ApiKey.objects.get(pk=key.pk)
    threads = [threading.Thread(target=charge_in_flight), threading.Thread(target=revoke)]
    for thread in threads:
        thread.start()
    charging.wait(timeout=30)
    deadline = time.monotonic() + 30
    while not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.01)  # waiting for the revoke to queue behind the charge's lock
    assert not revoked_at  # the revoke waits for the charge in flight
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert revoked_at

    with pytest.raises(spending.KeyNoLongerValid):
        generations.create(
            api_key=authenticated_before_revoke, model=model, prompt="late", params={}
        )
    assert credits.balance_of(alice.pk) == credits.ledger_sum(alice.pk) == 1000


def test_charges_straddling_a_window_turn_never_overshoot_either_window(
    alice: Any, make_key: MakeKey
) -> None:
    """Half the charges read their clock a moment before midnight, half a moment after,
    all racing for the key row: each window gets at most its budget (issue 18)."""
    key, _ = make_key(alice, "live")
    budget(key, 5 * PRICE, "day")
    turn = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    before, after = turn - timedelta(milliseconds=100), turn + timedelta(milliseconds=100)
    ApiKey.objects.filter(pk=key.pk).update(
        budget_window_start=turn - timedelta(days=1), budget_spent=4 * PRICE
    )

    def charge_at(moment: datetime) -> Callable[[], Any]:
        def job() -> Any:
            with transaction.atomic():
                try:
                    return spending.claim(ApiKey.objects.get(pk=key.pk), PRICE, moment)
                except spending.BudgetExceeded:
                    return None

        return job

    results = all_at_once([charge_at(before if i % 2 else after) for i in range(16)])

    counted: dict[datetime, int] = {turn - timedelta(days=1): 4 * PRICE}
    for result in results:
        assert not isinstance(result, BaseException), result
        if result is not None:
            counted[result.window_start] = counted.get(result.window_start, 0) + PRICE
    assert counted[turn] == 5 * PRICE  # the new day fills exactly
    assert all(total <= 5 * PRICE for total in counted.values()), counted
    key.refresh_from_db()
    assert (key.budget_window_start, key.budget_spent) == (turn, 5 * PRICE)


def test_a_refund_racing_a_charge_on_the_same_key_does_not_deadlock(
    alice: Any, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A charge holds the key row and is about to charge the account just as a failed
    render's refund starts: both take the key row before the account (issue 18: refunds
    took the account first, and PostgreSQL killed one side of the deadlock)."""
    credits.grant(alice, 1000, reason="funds")
    key, raw = make_key(alice, "live")
    budget(key, 500, "month")
    failed = generate_code(raw)()
    assert failed == "created"
    queued = Generation.objects.get()
    charge = credits.charge
    holds_key = threading.Event()

    def charge_once_the_refund_waits(generation: Generation) -> None:
        holds_key.set()
        deadline = time.monotonic() + 10
        while not _waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.01)  # the refund is queued behind this charge's key lock
        charge(generation)

    monkeypatch.setattr(credits, "charge", charge_once_the_refund_waits)

    def refund() -> bool:
        holds_key.wait(timeout=30)
        return generations.fail(queued.pk, "render failed")

    charged, refunded = all_at_once([generate_code(raw), refund])

    assert (charged, refunded) == ("created", True)
    assert credits.balance_of(alice.pk) == credits.ledger_sum(alice.pk) == 1000 - PRICE
    assert LedgerEntry.objects.filter(kind="refund").count() == 1
    key.refresh_from_db()
    assert key.budget_spent == PRICE
