"""Admin addresses from before accounts, ledger entries and generations left the api app
redirect, permanently, to the same page at its new address."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/api/account/", "/admin/billing/account/"),
        ("/admin/api/account/7/change/", "/admin/billing/account/7/change/"),
        ("/admin/api/account/7/credits/", "/admin/billing/account/7/credits/"),
        ("/admin/api/ledgerentry/", "/admin/billing/ledgerentry/"),
        ("/admin/api/generation/", "/admin/generations/generation/"),
    ],
)
def test_an_old_admin_address_redirects_permanently_to_the_new_one(
    client: Client, old: str, new: str
) -> None:
    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new


def test_a_generations_change_page_keeps_its_id_and_query_string(client: Client) -> None:
    generation_id = uuid.uuid4()

    response = client.get(
        f"/admin/api/generation/{generation_id}/change/", {"_changelist_filters": "status=failed"}
    )

    assert response.status_code == 301
    assert response["Location"] == (
        f"/admin/generations/generation/{generation_id}/change/?_changelist_filters=status%3Dfailed"
    )


def test_a_bookmarked_list_with_filters_lands_on_the_same_list(
    staff_client: Client, alice: object
) -> None:
    response = staff_client.get("/admin/api/generation/?status__exact=failed&q=alice", follow=True)

    assert response.redirect_chain == [
        ("/admin/generations/generation/?status__exact=failed&q=alice", 301)
    ]
    assert response.status_code == 200
    assert response.context["cl"].query == "alice"


def test_other_addresses_under_the_api_app_are_left_to_the_admin(staff_client: Client) -> None:
    assert staff_client.get("/admin/api/idempotencyrecord/").status_code == 404
