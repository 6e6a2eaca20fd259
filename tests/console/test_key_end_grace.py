"""Ending a rolled key's grace early in the console: without JavaScript, with htmx, and after
the grace is over."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from apikeys import rolling
from apikeys.models import ApiKey, ApiKeyEvent
from tests.console.helpers import HTMX, KEYS_URL, OWNER, end_grace_url, text_of, v1_account


def test_ending_the_grace_without_javascript_retires_the_old_secret(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, old_key = test_key
    _, new_key = rolling.roll_key(row, grace=timedelta(days=7), actor=OWNER)
    confirm_page = console.get(end_grace_url(row))
    assert "End the grace of “alice test” now?" in text_of(confirm_page)

    response = console.post(end_grace_url(row), follow=True)

    assert response.redirect_chain == [(KEYS_URL, 302)]
    page = text_of(response)
    assert "The old secret of “alice test” is retired. Requests with it now get 401." in page
    assert "End grace now" not in page and "old secret last used" not in page
    assert v1_account(old_key) == 401 and v1_account(new_key) == 200
    retired = ApiKeyEvent.objects.get(api_key=row, kind=ApiKeyEvent.Kind.SECRET_RETIRED)
    assert retired.reason == rolling.ENDED_BY_OWNER and retired.actor_kind == "owner"


def test_ending_the_grace_with_htmx_swaps_the_row(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, old_key = test_key
    rolling.roll_key(row, grace=timedelta(hours=1), actor=OWNER)

    response = console.post(end_grace_url(row), headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<tr") and "<html" not in html
    assert "End grace now" not in html.split('id="announcer"')[0]
    assert "is retired" in text_of(response)
    assert v1_account(old_key) == 401


def test_ending_a_grace_that_is_over_changes_nothing(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    response = console.post(end_grace_url(row), follow=True)
    assert "has no old secret in its grace period" in text_of(response)
    assert not ApiKeyEvent.objects.filter(
        api_key=row, kind=ApiKeyEvent.Kind.SECRET_RETIRED
    ).exists()
