"""Creating a key in the console: the form's defaults, the chosen environment and scopes,
the recorded creator, htmx partials and invalid input."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey, ApiKeyEvent
from tests.console.helpers import HTMX, KEYS_URL, create, full_keys_in


def test_the_form_starts_on_test_with_both_scopes_checked(console: Client) -> None:
    html = console.get(KEYS_URL).content.decode()
    assert re.search(r'value="test"[^>]*\bchecked\b', html)
    assert not re.search(r'value="live"[^>]*\bchecked\b', html)
    assert re.search(r'name="scopes" value="generate"[^>]*\bchecked\b', html)
    assert re.search(r'name="scopes" value="read"[^>]*\bchecked\b', html)
    assert html.index('value="test"') < html.index('value="live"')


def test_it_creates_a_key_with_the_chosen_environment_and_scopes(
    console: Client, alice: User
) -> None:
    response = create(console, environment="live", scopes=["read"])

    assert response.status_code == 201
    api_key = ApiKey.objects.get(owner=alice)
    assert (api_key.environment, api_key.scopes) == ("live", "read")
    assert full_keys_in(response)[0].startswith("clipia_live_")


def test_it_records_alice_and_her_address_as_the_creator(console: Client, alice: User) -> None:
    create(console, headers={"X-Forwarded-For": "203.0.113.9"})

    event = ApiKeyEvent.objects.get(kind=ApiKeyEvent.Kind.CREATED)
    assert event.actor_id == alice.pk
    assert event.actor_kind == ApiKeyEvent.ActorKind.OWNER
    assert event.client_address == "127.0.0.1"  # X-Forwarded-For is not trusted by default


def test_htmx_create_returns_the_panel_and_the_new_row_out_of_band(console: Client) -> None:
    response = create(console, headers=HTMX, name="From htmx")

    assert response.status_code == 201
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="create-area"') or 'id="create-area"' in html
    assert '<section id="key-list" class="card list-card"' in html
    assert 'hx-swap-oob="true"' in html
    assert "From htmx" in html[html.index('id="key-list"') :]
    assert 'id="announcer" hx-swap-oob="innerHTML">Key “From htmx” created.' in html
    assert "no-store" in response["Cache-Control"]


def test_htmx_create_shows_the_full_key_in_the_panel_only(console: Client) -> None:
    response = create(console, headers=HTMX)
    html = response.content.decode()
    [raw_key] = set(full_keys_in(response))
    assert raw_key not in html[html.index('id="key-list"') :]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Give the key a name."),
        ({"name": "   "}, "name", "Give the key a name."),
        ({"name": "x" * 101}, "name", "Key names are at most 100 characters."),
        ({"name": "null\x00byte"}, "name", "Null characters are not allowed."),
        ({"environment": "prod"}, "environment", "Choose the live or the test environment."),
        ({"environment": ""}, "environment", "Choose the live or the test environment."),
        ({"scopes": []}, "scopes", "Choose at least one scope."),
        ({"scopes": ["admin"]}, "scopes", "The allowed scopes are exactly generate and read."),
    ],
)
def test_invalid_input_re_renders_the_form_with_a_field_message(
    console: Client, alice: User, data: dict[str, Any], field: str, message: str
) -> None:
    response = create(console, **data)

    assert response.status_code == 422
    html = response.content.decode()
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in html
    assert ApiKey.objects.filter(owner=alice).count() == 0
    assert full_keys_in(response) == []


def test_invalid_input_over_htmx_returns_the_form_with_its_messages(
    console: Client, alice: User
) -> None:
    response = create(console, headers=HTMX, name="")

    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" not in html
    assert "Give the key a name." in html
    assert 'id="key-list"' not in html
    assert ApiKey.objects.filter(owner=alice).count() == 0


def test_after_a_create_the_form_keeps_the_chosen_environment(console: Client) -> None:
    html = create(console, environment="live").content.decode()
    form = html[html.index('<form method="post" action="/developer/api-keys/"') :]
    assert re.search(r'value="live"[^>]*checked', form)


def test_an_htmx_create_puts_the_address_back_on_page_one(console: Client) -> None:
    headers = {**HTMX, "HX-Current-URL": f"http://testserver{KEYS_URL}?page=2"}
    response = create(console, headers=headers)
    assert response.status_code == 201
    assert response["HX-Replace-Url"] == KEYS_URL
