"""The audit trail of keys: every key event (created, revoked, first used) names its actor,
time and client address, and the admin shows the trail read-only, filtered and searched."""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from apikeys.models import ApiKeyEvent
from tests.apikeys.helpers import EVENTS, create_in_admin, revoke_in_admin
from tests.support import MakeKey


def test_creating_a_key_in_the_admin_records_the_staff_member_and_address(
    staff_client: Client, staff: User, alice: User
) -> None:
    api_key, _ = create_in_admin(staff_client)

    event = api_key.events.get()
    assert (event.kind, event.actor_kind, event.actor, event.client_address) == (
        "created",
        "staff",
        staff,
        "203.0.113.7",
    )


def test_revoking_in_the_admin_records_the_staff_member_and_address(
    staff_client: Client, staff: User, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)

    revoke_in_admin(staff_client, api_key)

    event = api_key.events.get(kind=ApiKeyEvent.Kind.REVOKED)
    assert (event.actor_kind, event.actor, event.client_address) == (
        "staff",
        staff,
        "198.51.100.9",
    )


def test_a_staff_member_revoking_their_own_key_is_recorded_as_the_owner(
    staff_client: Client, staff: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(staff)

    revoke_in_admin(staff_client, api_key)

    assert api_key.events.get(kind=ApiKeyEvent.Kind.REVOKED).actor_kind == "owner"


def test_the_key_page_shows_who_revoked_it_and_the_whole_trail(
    staff_client: Client, api: Client, alice: User
) -> None:
    api_key, raw_key = create_in_admin(staff_client)
    api.get("/v1/account", headers={"Authorization": f"Bearer {raw_key}"})
    revoke_in_admin(staff_client, api_key)

    page = staff_client.get(reverse("admin:apikeys_apikey_change", args=[api_key.pk]))

    body = page.content.decode()
    assert re.search(r"revoked by.*staff staff", body, re.DOTALL | re.IGNORECASE)
    for shown in ("Created", "First used", "Revoked", "203.0.113.7", "198.51.100.9", "127.0.0.1"):
        assert shown in body
    assert api_key.events.count() == 3


def test_the_audit_trail_lists_events_with_actor_and_address(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="cli key")
    revoke_in_admin(staff_client, api_key)

    response = staff_client.get(EVENTS)

    body = response.content.decode()
    assert [event.kind for event in response.context["cl"].result_list] == ["revoked", "created"]
    for shown in ("manage.py tests", "staff staff", "198.51.100.9", f"{api_key.display_prefix}…"):
        assert shown in body


def test_the_audit_trail_filters_by_kind_and_finds_by_key(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)
    other, _ = make_key(alice)
    revoke_in_admin(staff_client, api_key)
    revoke_in_admin(staff_client, other)

    response = staff_client.get(EVENTS, {"kind__exact": "revoked", "q": api_key.lookup_id})

    assert list(response.context["cl"].result_list) == [api_key.events.get(kind="revoked")]


def test_the_audit_trail_cannot_be_added_to_changed_or_deleted_in_the_admin(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)
    event = api_key.events.get()
    change = reverse("admin:apikeys_apikeyevent_change", args=[event.pk])

    assert staff_client.get(reverse("admin:apikeys_apikeyevent_add")).status_code == 403
    assert staff_client.post(change, {"kind": "revoked"}).status_code == 403
    delete = reverse("admin:apikeys_apikeyevent_delete", args=[event.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert "delete_selected" not in staff_client.get(EVENTS).content.decode()
    assert ApiKeyEvent.objects.get(pk=event.pk).kind == "created"
