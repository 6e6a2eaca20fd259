"""'Refund me' tickets in the admin: refunding generations, the ledger naming keys, and
the account page leading to a customer's keys and generations.

Personas: staff is a superuser; carol is staff with only the permissions a test gives her;
alice and bob are customers.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.billing.models import Account, LedgerEntry
from clipia_console.generations import refunds
from clipia_console.generations.models import Generation
from tests.admin_support import GENERATIONS, KEYS, key_page, make_generation, signed_in_with
from tests.support import PASSWORD, MakeKey

ACCOUNTS = reverse("admin:billing_account_changelist")
LEDGER = reverse("admin:billing_ledgerentry_changelist")


@pytest.fixture
def carol(db: None) -> User:
    return User.objects.create_user("carol", "carol@clipia.example", PASSWORD, is_staff=True)


def charged_generation(owner: User, api_key: ApiKey | None = None, **fields: object) -> Generation:
    """A live generation charged to ``owner``, as POST /v1/models/{model} leaves it."""
    generation = make_generation(owner, api_key=api_key, cost=fields.pop("cost", 30), **fields)
    credits.charge(generation)
    return generation


def choose_refund(client: Client, *generations: Generation, confirm: bool = False) -> str:
    data = {"action": "refund_selected", "_selected_action": [g.pk for g in generations]}
    if confirm:
        data["post"] = "yes"
    response = client.post(GENERATIONS, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_refunding_first_shows_the_total_and_refunds_nothing(
    staff_client: Client, funded: User
) -> None:
    first = charged_generation(funded, cost=30)
    second = charged_generation(funded, cost=20)

    page = choose_refund(staff_client, first, second)

    assert "Refund 50 credits" in page
    assert "Yes, refund 50 credits" in page
    assert str(first.pk) in page and str(second.pk) in page
    assert credits.balance_of(funded.pk) == 50
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).exists()


def test_confirming_refunds_each_generation_once_with_a_linked_ledger_entry(
    staff_client: Client, staff: User, funded: User
) -> None:
    first = charged_generation(funded, cost=30)
    second = charged_generation(funded, cost=20)

    page = choose_refund(staff_client, first, second, confirm=True)
    again = choose_refund(staff_client, first, second, confirm=True)

    assert "Refunded 2 generations, 50 credits." in page
    assert "Skipped 2 already refunded" in again
    refunds_written = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND)
    assert {(e.generation_id, e.amount) for e in refunds_written} == {
        (first.pk, 30),
        (second.pk, 20),
    }
    assert credits.balance_of(funded.pk) == 100 == credits.ledger_sum(funded.pk)


def test_refunding_a_queued_generation_cancels_it(staff_client: Client, funded: User) -> None:
    queued = charged_generation(funded, status=Generation.Status.QUEUED)

    confirmation = choose_refund(staff_client, queued)
    page = choose_refund(staff_client, queued, confirm=True)

    assert "still queued and will be cancelled" in confirmation
    assert "(1 queued, now cancelled)" in page
    queued.refresh_from_db()
    assert queued.status == Generation.Status.FAILED
    assert queued.error == refunds.CANCELLED_BY_STAFF


def test_test_and_already_refunded_generations_are_skipped_and_said_so(
    staff_client: Client, funded: User
) -> None:
    refunded = charged_generation(funded, cost=10)
    credits.refund(refunded)
    sandbox = make_generation(funded, environment="test", cost=0)
    live = charged_generation(funded, cost=5)

    confirmation = choose_refund(staff_client, refunded, sandbox, live)
    page = choose_refund(staff_client, refunded, sandbox, live, confirm=True)

    assert "Refund 5 credits" in confirmation
    assert "already refunded" in confirmation and str(refunded.pk) in confirmation
    assert "Refunded 1 generation, 5 credits." in page
    assert f"Skipped 1 already refunded: {refunded.pk}." in page
    assert f"Skipped 1 that cost nothing (test or free): {sandbox.pk}." in page
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).count() == 2


def test_refunding_needs_the_change_account_permission(carol: User, funded: User) -> None:
    generation = charged_generation(funded)
    viewer = signed_in_with(carol, "view_generation")

    listing = viewer.get(GENERATIONS).content.decode()
    viewer.post(
        GENERATIONS,
        {"action": "refund_selected", "_selected_action": [generation.pk], "post": "yes"},
    )
    carol.user_permissions.clear()
    refunder = signed_in_with(carol, "view_generation", "change_account")

    assert "Refund selected live generations" not in listing
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).exists()
    assert "Refund selected live generations" in refunder.get(GENERATIONS).content.decode()


# The ledger and the key page name each other.


def test_ledger_charges_and_refunds_name_the_key(
    staff_client: Client, funded: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(funded, "live", name="render farm")
    generation = charged_generation(funded, api_key)
    credits.refund(generation)

    response = staff_client.get(LEDGER, {"q": api_key.lookup_id})

    assert {entry.kind for entry in response.context["cl"].result_list} == {"charge", "refund"}
    assert f"{api_key.display_prefix}…" in response.content.decode()


def test_a_keys_page_shows_its_generations_and_credits_spent_with_a_link(
    staff_client: Client, funded: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(funded, "live", name="render farm")
    charged_generation(funded, api_key, cost=30)
    refunded = charged_generation(funded, api_key, cost=20)
    credits.refund(refunded)
    charged_generation(funded, cost=40)  # another key's

    page = staff_client.get(key_page(api_key)).content.decode()

    assert "2 generations</a>, 30 credits spent" in page
    assert f"{GENERATIONS}?key={api_key.lookup_id}" in page


# Accounts.


def test_the_account_list_holds_every_customer_even_without_credits(
    staff_client: Client, funded: User, bob: User
) -> None:
    response = staff_client.get(ACCOUNTS)

    listed = {account.pk for account in response.context["cl"].result_list}
    assert {funded.pk, bob.pk} <= listed
    assert Account.objects.get(pk=bob.pk).balance == 0 == credits.ledger_sum(bob.pk)


def test_the_account_page_links_to_the_customers_keys_and_generations(
    staff_client: Client, funded: User, bob: User, make_key: MakeKey
) -> None:
    alices, _ = make_key(funded, name="alice's")
    make_key(bob, name="bob's")
    mine = make_generation(funded)
    make_generation(bob)
    page = staff_client.get(
        reverse("admin:billing_account_change", args=[funded.pk])
    ).content.decode()

    keys_list = staff_client.get(KEYS, {"owner__id__exact": funded.pk})
    generations = staff_client.get(GENERATIONS, {"owner__id__exact": funded.pk})

    assert f"{KEYS}?owner__id__exact={funded.pk}" in page
    assert f"{GENERATIONS}?owner__id__exact={funded.pk}" in page
    assert list(keys_list.context["cl"].result_list) == [alices]
    assert list(generations.context["cl"].result_list) == [mine]
