"""Credit accounts in the admin: the account page (balance, ledger, no save button), no
deleting, search by email, and how much of a long ledger is shown."""

from __future__ import annotations

from django.contrib.admin import site
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.billing import credits
from clipia_console.billing.models import Account
from clipia_console.staff.admin.accounts import AccountAdmin
from tests.staff.helpers import ACCOUNTS


def test_the_account_page_shows_balance_and_ledger_without_a_save_button(
    staff_client: Client, funded: User
) -> None:
    response = staff_client.get(reverse("admin:billing_account_change", args=[funded.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "test funds" in page
    assert "Grant or deduct credits" in page
    assert 'name="_save"' not in page
    assert 'name="balance"' not in page


def test_posting_the_account_form_cannot_change_the_balance(
    staff_client: Client, funded: User
) -> None:
    staff_client.post(
        reverse("admin:billing_account_change", args=[funded.pk]),
        {"balance": "1000000", "ledger-TOTAL_FORMS": "0", "ledger-INITIAL_FORMS": "0"},
    )

    assert credits.balance_of(funded.pk) == 100 == credits.ledger_sum(funded.pk)


def test_saving_an_account_form_loaded_before_a_grant_keeps_the_grant(
    rf: RequestFactory, funded: User
) -> None:
    stale = Account.objects.get(pk=funded.pk)
    credits.grant(funded, 7, reason="while the page was open")

    AccountAdmin(Account, site).save_model(rf.post("/"), stale, None, True)

    assert credits.balance_of(funded.pk) == 107 == credits.ledger_sum(funded.pk)


def test_accounts_cannot_be_deleted_in_the_admin(staff_client: Client, funded: User) -> None:
    response = staff_client.post(
        reverse("admin:billing_account_delete", args=[funded.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Account.objects.filter(pk=funded.pk).exists()


def test_the_account_list_is_searchable_by_email(
    staff_client: Client, funded: User, bob: User
) -> None:
    credits.grant(bob, 5, reason="x")

    response = staff_client.get(ACCOUNTS, {"q": "bob@example.com"})

    assert [account.pk for account in response.context["cl"].result_list] == [bob.pk]


def test_staff_cannot_delete_an_account_only_deactivate_it(
    client: Client, staff: User, alice: User, test_key: tuple[ApiKey, str]
) -> None:
    client.force_login(staff)

    page = client.get(f"/admin/auth/user/{alice.pk}/delete/")
    changelist = client.get("/admin/auth/user/")

    assert page.status_code == 403
    assert "delete_selected" not in changelist.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()
    assert ApiKeyEvent.objects.filter(api_key=test_key[0]).exists()


def test_a_long_ledger_shows_its_latest_entries_and_links_to_the_whole_ledger(
    staff_client: Client, alice: User, bob: User
) -> None:
    for n in range(60):
        credits.grant(alice, 1, reason=f"grant number {n}")
    credits.grant(bob, 5, reason="bob's only grant")

    page = staff_client.get(
        reverse("admin:billing_account_change", args=[alice.pk])
    ).content.decode()
    ledger = staff_client.get(
        reverse("admin:billing_ledgerentry_changelist"), {"account__user__exact": alice.pk}
    ).content.decode()

    assert "grant number 59" in page and "grant number 10" in page
    assert "grant number 9<" not in page  # the 50 latest: 10 to 59
    assert "The latest 50 of 60 ledger entries." in page
    assert f"?account__user__exact={alice.pk}" in page
    assert "60 ledger entries" in ledger
    assert "bob&#x27;s only grant" not in ledger
    assert "Add ledger entry" not in ledger


def test_a_short_ledger_is_shown_whole_without_a_link(staff_client: Client, funded: User) -> None:
    page = staff_client.get(
        reverse("admin:billing_account_change", args=[funded.pk])
    ).content.decode()

    assert "test funds" in page
    assert "See the whole ledger" not in page


def test_an_account_page_for_an_impossible_id_is_no_error(staff_client: Client, db: None) -> None:
    response = staff_client.get("/admin/billing/account/not-a-number/change/", follow=True)

    assert response.status_code == 200
    assert "doesn’t exist" in response.content.decode()
