"""A key's budget can be set when it is created, in the console and in the admin, with the
rest of its spend controls on its page afterwards; a bad budget creates nothing."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from apikeys.models import ApiKey, ApiKeyEvent
from tests.support import create_in_console


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_key_created_with_a_budget_has_it_from_its_first_request(alice: User) -> None:
    response = create_in_console(signed_in(alice), budget_credits="250", budget_period="week")

    assert response.status_code == 201
    api_key = ApiKey.objects.get(owner=alice)
    assert (api_key.budget_credits, api_key.budget_period) == (250, "week")
    kinds = set(api_key.events.values_list("kind", flat=True))
    assert {ApiKeyEvent.Kind.CREATED, ApiKeyEvent.Kind.BUDGET_CHANGED} <= kinds


def test_without_a_budget_the_balance_is_the_only_limit(alice: User) -> None:
    create_in_console(signed_in(alice), budget_credits="", budget_period="month")

    assert ApiKey.objects.get(owner=alice).budget_credits is None


def test_a_bad_budget_is_said_on_its_field_and_creates_nothing(alice: User) -> None:
    for client_headers in ({}, {"HX-Request": "true"}):
        response = create_in_console(
            signed_in(alice), client_headers, name="Typed name", budget_credits="-5"
        )

        assert response.status_code == 422
        html = response.content.decode()
        assert 'aria-describedby="budget-error"' in html
        assert 'value="Typed name"' in html and 'value="-5"' in html
    assert not ApiKey.objects.exists()


def test_staff_create_a_key_with_a_budget_for_a_customer(alice: User, staff: User) -> None:
    response = signed_in(staff).post(
        reverse("admin:apikeys_apikey_add"),
        {
            "owner": alice.pk,
            "name": "for support",
            "environment": "test",
            "scopes": ["generate"],
            "budget_credits": "40",
            "budget_period": "day",
        },
    )

    assert response.status_code == 200
    api_key = ApiKey.objects.get(owner=alice)
    assert (api_key.budget_credits, api_key.budget_period) == (40, "day")
