"""Credits under real concurrency (PostgreSQL): each thread has its own connection and
they all start together. Balances never go negative, nothing is charged twice, and the
ledger always sums to the balance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations import services as generations
from clipia_console.generations.models import Generation, VideoModel
from tests.support import MakeKey, all_at_once, bearer

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalog"),
]

MODEL = "clipia/motion-v1"
PRICE = 20


def generate(raw_key: str) -> Callable[[], int]:
    def job() -> int:
        response = Client().post(
            f"/v1/models/{MODEL}",
            data={"prompt": "a kite in the wind"},
            content_type="application/json",
            **bearer(raw_key),
        )
        return int(response.status_code)

    return job


def warm(raw_key: str) -> None:
    """Verify the key and record its first use before the race, as a busy key would be."""
    assert Client().get("/v1/account", **bearer(raw_key)).status_code == 200


def charges(user: Any) -> int:
    return LedgerEntry.objects.filter(account_id=user.pk, kind=LedgerEntry.Kind.CHARGE).count()


def test_concurrent_generations_succeed_exactly_as_far_as_the_balance_goes(
    alice: Any, make_key: MakeKey
) -> None:
    _, raw = make_key(alice, "live")
    warm(raw)
    affordable, attempts = 4, 12
    credits.grant(alice, affordable * PRICE + 7, reason="test funds")

    statuses = all_at_once([generate(raw)] * attempts)

    assert sorted(statuses) == [201] * affordable + [402] * (attempts - affordable)  # type: ignore[type-var]
    assert credits.balance_of(alice.pk) == 7
    assert credits.ledger_sum(alice.pk) == 7
    assert Generation.objects.filter(owner=alice).count() == affordable
    assert charges(alice) == affordable


def test_concurrent_grants_and_generations_keep_the_ledger_equal_to_the_balance(
    alice: Any, make_key: MakeKey
) -> None:
    _, raw = make_key(alice, "live")
    warm(raw)
    credits.grant(alice, 50, reason="test funds")

    def top_up() -> str:
        credits.grant(alice, 30, reason="concurrent top-up")
        return "granted"

    results = all_at_once([generate(raw)] * 8 + [top_up] * 6)

    succeeded = results.count(201)
    assert results.count("granted") == 6
    assert succeeded + results.count(402) == 8
    assert credits.balance_of(alice.pk) == 50 + 6 * 30 - succeeded * PRICE
    assert credits.ledger_sum(alice.pk) == credits.balance_of(alice.pk)
    assert Generation.objects.filter(owner=alice).count() == succeeded == charges(alice)


def test_concurrent_deductions_never_take_the_balance_below_zero(alice: Any) -> None:
    credits.grant(alice, 100, reason="test funds")

    def correction() -> str:
        try:
            credits.deduct(alice, 30, reason="concurrent correction")
        except credits.InsufficientCredits:
            return "refused"
        return "deducted"

    results = all_at_once([correction] * 8)

    assert sorted(results) == ["deducted"] * 3 + ["refused"] * 5  # type: ignore[type-var]
    assert credits.balance_of(alice.pk) == 10 == credits.ledger_sum(alice.pk)


def test_a_failed_generation_is_refunded_once_however_many_workers_report_it(
    alice: Any, make_key: MakeKey
) -> None:
    key, _ = make_key(alice, "live")
    credits.grant(alice, 100, reason="test funds")
    generation = generations.create(
        api_key=key, model=VideoModel.objects.get(pk=MODEL), prompt="a kite", params={}
    )

    results = all_at_once([lambda: generations.fail(generation.pk, "renderer crashed")] * 6)

    assert results.count(True) == 1
    assert results.count(False) == 5
    assert credits.balance_of(alice.pk) == 100 == credits.ledger_sum(alice.pk)
    assert LedgerEntry.objects.filter(generation=generation, kind="refund").count() == 1
    assert Generation.objects.get(pk=generation.pk).status == Generation.Status.FAILED


def test_two_accounts_racing_do_not_touch_each_others_balance(
    alice: Any, bob: Any, make_key: MakeKey
) -> None:
    _, alices = make_key(alice, "live")
    _, bobs = make_key(bob, "live")
    warm(alices)
    warm(bobs)
    credits.grant(alice, 2 * PRICE, reason="test funds")
    credits.grant(bob, 5 * PRICE, reason="test funds")

    results = all_at_once([generate(alices)] * 5 + [generate(bobs)] * 5)

    assert sorted(results[:5]) == [201, 201, 402, 402, 402]  # type: ignore[type-var]
    assert results[5:] == [201] * 5
    assert (credits.balance_of(alice.pk), credits.balance_of(bob.pk)) == (0, 0)
    assert credits.ledger_sum(alice.pk) == 0 == credits.ledger_sum(bob.pk)
