"""Credits: the balance never goes negative and always equals the ledger's sum."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.test import Client

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.billing.models import Account, LedgerEntry
from clipia_console.generations import services as generations
from clipia_console.generations.models import Generation
from tests.support import bearer


def generate(api: Client, raw_key: str, model: str = "clipia/motion-v1") -> Any:
    return api.post(
        f"/v1/models/{model}",
        data=json.dumps({"prompt": "x"}),
        content_type="application/json",
        **bearer(raw_key),
    )


def test_the_ledger_sum_equals_the_balance_through_grants_charges_and_refunds(
    api: Client, alice: User, live_key: tuple[ApiKey, str]
) -> None:
    credits.grant(alice, 50, reason="signup bonus")
    first = generate(api, live_key[1]).json()
    generate(api, live_key[1], "clipia/motion-v1-fast")
    generations.fail(first["id"], "renderer crashed")
    credits.deduct(alice, 3, reason="correction")

    assert credits.balance_of(alice.pk) == 50 - 20 - 5 + 20 - 3
    assert credits.ledger_sum(alice.pk) == credits.balance_of(alice.pk)
    assert list(LedgerEntry.objects.order_by("id").values_list("kind", "amount")) == [
        ("grant", 50),
        ("charge", -20),
        ("charge", -5),
        ("refund", 20),
        ("deduct", -3),
    ]


def test_a_failed_generation_is_refunded_exactly_once(
    api: Client, funded: User, live_key: tuple[ApiKey, str]
) -> None:
    created = generate(api, live_key[1]).json()

    assert generations.fail(created["id"], "boom") is True
    assert generations.fail(created["id"], "boom again") is False
    assert credits.refund(Generation.objects.get(pk=created["id"])) is False

    assert credits.balance_of(funded.pk) == 100
    assert LedgerEntry.objects.filter(kind="refund").count() == 1
    assert credits.ledger_sum(funded.pk) == 100
    assert api.get(f"/v1/generations/{created['id']}", **bearer(live_key[1])).json()["status"] == (
        "failed"
    )


def test_a_completed_generation_cannot_then_fail_into_a_refund(
    api: Client, funded: User, live_key: tuple[ApiKey, str]
) -> None:
    created = generate(api, live_key[1]).json()

    assert generations.complete(created["id"], {"video_url": "https://example.com/v.mp4"})
    assert generations.fail(created["id"], "late failure") is False

    assert credits.balance_of(funded.pk) == 80
    assert not LedgerEntry.objects.filter(kind="refund").exists()


def test_sandbox_generations_never_touch_the_ledger(
    api: Client, funded: User, test_key: tuple[ApiKey, str]
) -> None:
    for _ in range(3):
        assert generate(api, test_key[1]).status_code == 201

    assert LedgerEntry.objects.filter(account_id=funded.pk).count() == 1  # the grant
    assert credits.balance_of(funded.pk) == 100


def test_a_deduction_beyond_the_balance_is_refused_and_changes_nothing(alice: User) -> None:
    credits.grant(alice, 10, reason="x")

    with pytest.raises(credits.InsufficientCredits):
        credits.deduct(alice, 11, reason="too much")

    assert credits.balance_of(alice.pk) == 10
    assert credits.ledger_sum(alice.pk) == 10


def test_spending_the_exact_balance_leaves_zero_and_the_next_charge_is_refused(
    api: Client, alice: User, live_key: tuple[ApiKey, str]
) -> None:
    credits.grant(alice, 20, reason="exactly one")

    assert generate(api, live_key[1]).status_code == 201
    assert generate(api, live_key[1]).status_code == 402

    assert credits.balance_of(alice.pk) == 0
    assert credits.ledger_sum(alice.pk) == 0


def test_the_database_refuses_a_negative_balance(alice: User) -> None:
    Account.objects.create(user=alice, balance=0)

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=alice.pk).update(balance=-1)


def test_ledger_entries_are_append_only(alice: User) -> None:
    credits.grant(alice, 5, reason="x")
    entry = LedgerEntry.objects.get()

    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.parametrize("amount", [0, -5])
def test_grants_and_deductions_must_be_positive(alice: User, amount: int) -> None:
    with pytest.raises(ValueError):
        credits.grant(alice, amount, reason="x")
    with pytest.raises(ValueError):
        credits.deduct(alice, amount, reason="x")
