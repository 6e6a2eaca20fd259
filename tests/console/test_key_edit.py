"""Renaming a key and writing its note in the console: without JavaScript, from the key page,
in place with htmx, and refusing an empty name or a note too long."""

from __future__ import annotations

from django.test import Client

from apikeys import services
from apikeys.models import ApiKey, ApiKeyEvent
from tests.console.helpers import HTMX, KEYS_URL, text_of, v1_account


def edit_url(api_key: ApiKey) -> str:
    return f"{KEYS_URL}{api_key.pk}/edit/"


def test_a_key_is_renamed_and_noted_without_javascript(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw_key = test_key
    hashed = ApiKey.objects.get(pk=row.pk).hashed_key
    assert 'value="alice test"' in console.get(edit_url(row)).content.decode()

    response = console.post(
        edit_url(row),
        {"name": "Renderer", "note": "Vault: prod/render; run by the video team"},
        follow=True,
    )

    assert response.redirect_chain == [(KEYS_URL, 302)]
    page = text_of(response)
    assert "Saved “Renderer”." in page and "Vault: prod/render; run by the video team" in page
    row.refresh_from_db()
    assert (row.name, row.note) == ("Renderer", "Vault: prod/render; run by the video team")
    assert row.hashed_key == hashed and v1_account(raw_key) == 200  # the secret is untouched
    event = ApiKeyEvent.objects.get(api_key=row, kind=ApiKeyEvent.Kind.RENAMED)
    assert event.reason == "“alice test” → “Renderer”; note changed"
    assert event.actor_kind == "owner"


def test_renaming_from_the_key_page_goes_back_to_it(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    key_page = f"{KEYS_URL}{row.pk}/"
    assert f'href="{edit_url(row)}?from=key"' in console.get(key_page).content.decode()
    form = console.get(f"{edit_url(row)}?from=key").content.decode()
    assert 'name="return_to" value="key"' in form

    response = console.post(
        edit_url(row), {"name": "alice test", "note": "CI runner", "return_to": "key"}, follow=True
    )

    assert response.redirect_chain == [(key_page, 302)]
    assert "CI runner" in text_of(response)


def test_an_empty_name_is_refused_and_the_note_typed_stays(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    response = console.post(edit_url(row), {"name": "  ", "note": "kept"})

    assert response.status_code == 422
    assert "Give the key a name." in text_of(response)
    assert ">kept</textarea>" in response.content.decode()
    row.refresh_from_db()
    assert row.name == "alice test" and row.note == ""
    assert not ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.RENAMED).exists()


def test_a_note_too_long_is_refused(console: Client, test_key: tuple[ApiKey, str]) -> None:
    row, _ = test_key
    response = console.post(edit_url(row), {"name": "alice test", "note": "x" * 1001})
    assert response.status_code == 422
    assert services.NOTE_TOO_LONG in text_of(response)


def test_saving_the_same_name_and_note_records_nothing(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    response = console.post(edit_url(row), {"name": "alice test", "note": ""}, follow=True)
    assert "Nothing changed." in text_of(response)
    assert not ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.RENAMED).exists()


def test_renaming_in_place_with_htmx(console: Client, test_key: tuple[ApiKey, str]) -> None:
    row, _ = test_key

    editing = console.get(edit_url(row), headers=HTMX)
    assert editing.status_code == 200
    assert editing.content.decode().lstrip().startswith("<tr")
    assert f'hx-post="{edit_url(row)}"' in editing.content.decode()

    refused = console.post(edit_url(row), {"name": ""}, headers=HTMX)
    assert refused.status_code == 422 and "Give the key a name." in text_of(refused)

    saved = console.post(edit_url(row), {"name": "Worker", "note": "k8s secret"}, headers=HTMX)
    assert saved.status_code == 200
    html = saved.content.decode()
    assert html.lstrip().startswith("<tr") and "Worker" in html and "k8s secret" in html
    assert "Saved “Worker”." in text_of(saved)

    cancelled = console.get(f"{edit_url(row)}?cancel", headers=HTMX)
    assert cancelled.content.decode().lstrip().startswith("<tr")
    assert "Edit…" in text_of(cancelled)
