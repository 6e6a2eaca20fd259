"""Editing a key in the staff admin: renaming and annotating (audited), unchanged saves, bad
names, notes or limits refused, the request limit, and revoked keys edit nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys import services
from apikeys.models import ApiKey, ApiKeyEvent
from tests.admin_support import (
    key_form,
    key_page,
)
from tests.staff.helpers import text
from tests.support import MakeKey


def test_renaming_and_annotating_a_key_is_audited_with_old_and_new_name(
    staff_client: Client, staff: User, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice, name="old name")

    response = staff_client.post(
        key_page(api_key), key_form(api_key, name="new name", note="runs on the render farm")
    )
    page = text(staff_client.get(key_page(api_key)))

    assert response.status_code == 302
    api_key.refresh_from_db()
    assert (api_key.name, api_key.note) == ("new name", "runs on the render farm")
    event = api_key.events.get(kind=ApiKeyEvent.Kind.RENAMED)
    assert event.reason == "“old name” → “new name”; note changed"
    assert (event.actor, event.actor_kind) == (staff, ApiKeyEvent.ActorKind.STAFF)
    assert "Name or note changed" in page
    assert "“old name” → “new name”" in page
    assert raw_key.startswith(api_key.display_prefix)  # the secret is untouched


def test_saving_a_key_page_unchanged_writes_no_event(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)

    response = staff_client.post(key_page(api_key), key_form(api_key))

    assert response.status_code == 302
    assert list(api_key.events.values_list("kind", flat=True)) == [ApiKeyEvent.Kind.CREATED]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "   "}, services.NAME_MISSING),
        ({"name": "n" * 101}, services.NAME_TOO_LONG),
        ({"note": "n" * 1001}, services.NOTE_TOO_LONG),
        ({"generation_rate_limit": "0"}, services.RATE_LIMIT_INVALID),
        ({"generation_rate_limit": "many"}, services.RATE_LIMIT_INVALID),
    ],
)
def test_a_bad_name_note_or_limit_is_refused_and_nothing_changes(
    staff_client: Client, alice: User, make_key: MakeKey, fields: dict[str, str], message: str
) -> None:
    api_key, _ = make_key(alice, name="kept")

    response = staff_client.post(key_page(api_key), key_form(api_key, **fields))

    assert response.status_code == 200
    assert message in text(response)
    assert ApiKey.objects.get(pk=api_key.pk).name == "kept"
    assert api_key.events.count() == 1


def test_staff_set_a_keys_request_limit_and_clear_it_back_to_the_default(
    staff_client: Client, staff: User, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, "live")
    page = text(staff_client.get(key_page(api_key)))

    staff_client.post(key_page(api_key), key_form(api_key, generation_rate_limit="5"))
    limited = ApiKey.objects.get(pk=api_key.pk)
    staff_client.post(key_page(api_key), key_form(limited, generation_rate_limit=""))

    assert "Generation requests per minute" in page
    assert "live environment's default, 60 per minute" in page
    assert limited.generation_rate_limit == 5
    assert ApiKey.objects.get(pk=api_key.pk).generation_rate_limit is None
    reasons = api_key.events.filter(kind=ApiKeyEvent.Kind.LIMIT_CHANGED).order_by("id")
    assert [event.reason for event in reasons] == [
        "environment default → 5 per minute",
        "5 per minute → environment default",
    ]
    assert all(event.actor == staff for event in reasons)


def test_a_revoked_keys_page_edits_nothing_even_when_posted_to(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="kept")
    services.revoke_key(api_key, actor=services.Actor.command("tests"))

    staff_client.post(
        key_page(api_key), key_form(api_key, name="changed", generation_rate_limit="5")
    )

    api_key.refresh_from_db()
    assert (api_key.name, api_key.generation_rate_limit) == ("kept", None)
    assert not api_key.events.filter(kind=ApiKeyEvent.Kind.RENAMED).exists()
