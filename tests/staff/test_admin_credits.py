"""Granting and deducting credits in the admin: the ledger and balance agree, a reason and a
sane amount are needed, and a first grant creates the customer's account."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from clipia_console.billing import credits
from clipia_console.billing.models import Account, LedgerEntry
from tests.staff.helpers import ADD_ACCOUNT, credits_page


def test_granting_credits_writes_the_ledger_and_the_balance_agrees(
    staff_client: Client, staff: User, funded: User
) -> None:
    response = staff_client.post(
        credits_page(funded),
        {"operation": "grant", "amount": "250", "reason": "ticket 1234: outage credit"},
        follow=True,
    )

    assert "Granted 250 credits; the balance is now 350." in response.content.decode()
    assert credits.balance_of(funded.pk) == 350 == credits.ledger_sum(funded.pk)
    entry = LedgerEntry.objects.filter(account_id=funded.pk).first()
    assert entry is not None
    assert (entry.kind, entry.amount, entry.reason, entry.actor) == (
        "grant",
        250,
        "ticket 1234: outage credit",
        staff,
    )


def test_the_credits_page_shows_the_current_balance(staff_client: Client, funded: User) -> None:
    response = staff_client.get(credits_page(funded))

    assert response.status_code == 200
    assert "The balance is 100 credits." in response.content.decode()


def test_deducting_credits_writes_a_negative_ledger_entry(
    staff_client: Client, staff: User, funded: User
) -> None:
    response = staff_client.post(
        credits_page(funded),
        {"operation": "deduct", "amount": "30", "reason": "duplicate grant"},
        follow=True,
    )

    assert "Deducted 30 credits; the balance is now 70." in response.content.decode()
    assert credits.balance_of(funded.pk) == 70 == credits.ledger_sum(funded.pk)
    entry = LedgerEntry.objects.filter(account_id=funded.pk).first()
    assert entry is not None
    assert (entry.kind, entry.amount, entry.actor) == ("deduct", -30, staff)


def test_deducting_more_than_the_balance_is_refused_with_a_message(
    staff_client: Client, funded: User
) -> None:
    response = staff_client.post(
        credits_page(funded), {"operation": "deduct", "amount": "101", "reason": "too much"}
    )

    assert response.status_code == 200
    assert "Cannot deduct 101 credits: the balance is 100. Nothing was deducted." in (
        response.content.decode()
    )
    assert credits.balance_of(funded.pk) == 100 == credits.ledger_sum(funded.pk)
    assert LedgerEntry.objects.filter(account_id=funded.pk).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"operation": "grant", "amount": "10", "reason": ""},
        {"operation": "grant", "amount": "0", "reason": "zero"},
        {"operation": "grant", "amount": "-5", "reason": "negative"},
        {"operation": "grant", "amount": "ten", "reason": "words"},
        {"operation": "grant", "amount": "99999999999", "reason": "a typo"},
        {"operation": "steal", "amount": "10", "reason": "unknown operation"},
    ],
)
def test_a_credit_change_needs_a_reason_and_a_sane_amount(
    staff_client: Client, funded: User, data: dict[str, str]
) -> None:
    response = staff_client.post(credits_page(funded), data)

    assert response.status_code == 200
    assert "Please correct the errors below." in response.content.decode()
    assert credits.balance_of(funded.pk) == 100
    assert LedgerEntry.objects.filter(account_id=funded.pk).count() == 1


def test_granting_first_credits_creates_the_customers_account(
    staff_client: Client, staff: User, bob: User
) -> None:
    response = staff_client.post(
        ADD_ACCOUNT, {"user": "bob@example.com", "amount": "40", "reason": "trial"}, follow=True
    )

    assert "Granted 40 credits; the balance is now 40." in response.content.decode()
    assert Account.objects.get(pk=bob.pk).balance == 40 == credits.ledger_sum(bob.pk)
    entry = LedgerEntry.objects.get(account_id=bob.pk)
    assert (entry.actor, entry.reason) == (staff, "trial")
