"""What the admin says about itself: its name, the add-key form's defaults and owner
search, and what each permission grants.

Personas: staff is a superuser; carol is staff with only the permissions a test gives her;
alice and bob are customers.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from clipia_console.billing.models import Account
from clipia_console.staff.admin.permissions import GRANTS
from tests.admin_support import signed_in_with
from tests.support import PASSWORD

ADD_KEY = reverse("admin:apikeys_apikey_add")
OWNER_SEARCH = reverse("admin:autocomplete")


@pytest.fixture
def carol(db: None) -> User:
    return User.objects.create_user("carol", "carol@clipia.example", PASSWORD, is_staff=True)


def search_owners(client: Client, term: str) -> list[str]:
    response = client.get(
        OWNER_SEARCH,
        {"app_label": "apikeys", "model_name": "apikey", "field_name": "owner", "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_the_admin_calls_itself_clipia_staff(staff_client: Client) -> None:
    page = staff_client.get(reverse("admin:index")).content.decode()

    assert "Clipia staff" in page
    assert "Django administration" not in page
    assert "Django site admin" not in page


def test_a_new_key_starts_in_test_like_the_console(staff_client: Client) -> None:
    form = staff_client.get(ADD_KEY).context["form"]

    assert form["environment"].value() == "test"
    assert "admin-autocomplete" in str(form["owner"])


def test_the_owner_is_found_by_username_or_email_as_staff_type(
    staff_client: Client, alice: User, bob: User
) -> None:
    assert search_owners(staff_client, "alice@exa") == ["alice"]
    assert search_owners(staff_client, "bo") == ["bob"]


def test_an_inactive_customer_cannot_be_given_a_key(staff_client: Client, alice: User) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)

    response = staff_client.post(
        ADD_KEY, {"owner": alice.pk, "name": "k", "environment": "test", "scopes": ["read"]}
    )

    assert "No such active user" in response.content.decode()


def test_the_owner_search_needs_the_user_view_permission(carol: User, alice: User) -> None:
    client = signed_in_with(carol, "add_apikey", "view_apikey")
    refused = client.get(
        OWNER_SEARCH,
        {"app_label": "apikeys", "model_name": "apikey", "field_name": "owner", "term": "ali"},
    )
    carol.user_permissions.clear()

    assert refused.status_code == 403
    assert search_owners(signed_in_with(carol, "add_apikey", "view_user"), "ali") == ["alice"]


def test_a_users_permissions_say_what_each_one_grants(staff_client: Client, alice: User) -> None:
    page = staff_client.get(reverse("admin:auth_user_change", args=[alice.pk])).content.decode()

    assert "mint a key, live or test, for any active customer" in page
    assert "roll (seeing the new key once) and revoke any customer" in page
    assert "refund" in page


def test_each_permission_is_named_as_the_admin_lists_it(db: None) -> None:
    shown = {str(permission) for permission in Permission.objects.select_related("content_type")}

    assert {label for label, _ in GRANTS} <= shown


def test_an_account_page_links_to_the_generations_for_whoever_may_view_them(
    carol: User, alice: User
) -> None:
    Account.objects.create(user=alice)
    client = signed_in_with(carol, "view_account", "view_generation")

    page = client.get(reverse("admin:billing_account_change", args=[alice.pk])).content.decode()

    generations = reverse("admin:generations_generation_changelist")
    assert f"{generations}?owner__id__exact={alice.pk}" in page
