"""Who may use the staff admin: customers are sent to its login, and staff see and change only
what their permissions allow."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from apikeys.models import ApiKey
from clipia_console.billing import credits
from tests.admin_support import GENERATIONS, KEYS, key_page, signed_in_with
from tests.staff.helpers import ACCOUNTS, ADD_ACCOUNT, ADD_KEY, credits_page
from tests.support import PASSWORD

EVENTS = reverse("admin:apikeys_apikeyevent_changelist")


@pytest.fixture
def carol(db: None) -> User:
    return User.objects.create_user("carol", "carol@clipia.example", PASSWORD, is_staff=True)


STAFF_PAGES = [KEYS, ADD_KEY, ACCOUNTS, ADD_ACCOUNT, GENERATIONS, EVENTS]


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_a_customer_is_sent_to_the_admin_login(alice: User, page: str) -> None:
    client = Client()
    client.force_login(alice)

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_without_permissions_are_forbidden(carol: User, page: str) -> None:
    response = signed_in_with(carol).get(page)

    assert response.status_code == 403


def test_staff_without_permissions_see_no_models_on_the_index(carol: User) -> None:
    response = signed_in_with(carol).get(reverse("admin:index"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "You don’t have permission to view or edit anything." in page
    assert KEYS not in page


def test_staff_without_permissions_cannot_see_a_key_or_an_account(
    carol: User, funded: User, test_key: tuple[ApiKey, str]
) -> None:
    client = signed_in_with(carol)

    assert client.get(key_page(test_key[0])).status_code == 403
    assert client.get(reverse("admin:billing_account_change", args=[funded.pk])).status_code == 403
    assert client.get(credits_page(funded)).status_code == 403


def test_staff_who_may_only_view_keys_cannot_revoke_them(
    carol: User, test_key: tuple[ApiKey, str]
) -> None:
    client = signed_in_with(carol, "view_apikey")

    listing = client.get(KEYS)
    client.post(
        KEYS, {"action": "revoke_selected", "_selected_action": [test_key[0].pk], "post": "yes"}
    )
    page = client.get(key_page(test_key[0]))

    assert listing.status_code == 200
    assert "Revoke selected keys" not in listing.content.decode()
    assert "Revoke this key" not in page.content.decode()
    assert (
        client.post(reverse("admin:apikeys_apikey_revoke", args=[test_key[0].pk])).status_code
        == 403
    )
    assert ApiKey.objects.get(pk=test_key[0].pk).revoked_at is None


def test_staff_who_may_only_view_keys_cannot_create_them(carol: User, alice: User) -> None:
    response = signed_in_with(carol, "view_apikey").post(
        ADD_KEY, {"owner": alice.pk, "name": "k", "environment": "live", "scopes": ["read"]}
    )

    assert response.status_code == 403
    assert not ApiKey.objects.exists()


def test_staff_who_may_only_view_accounts_cannot_change_credits(carol: User, funded: User) -> None:
    client = signed_in_with(carol, "view_account")

    page = client.get(reverse("admin:billing_account_change", args=[funded.pk]))
    posted = client.post(
        credits_page(funded), {"operation": "grant", "amount": "5", "reason": "me"}
    )

    assert page.status_code == 200
    assert "Grant or deduct credits" not in page.content.decode()
    assert posted.status_code == 403
    assert credits.balance_of(funded.pk) == 100


def test_staff_with_change_permission_on_accounts_can_grant(carol: User, funded: User) -> None:
    client = signed_in_with(carol, "view_account", "change_account")

    response = client.post(
        credits_page(funded), {"operation": "grant", "amount": "5", "reason": "goodwill"}
    )

    assert response.status_code == 302
    assert credits.balance_of(funded.pk) == 105 == credits.ledger_sum(funded.pk)
