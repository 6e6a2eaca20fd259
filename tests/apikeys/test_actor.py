"""Actor.from_request: who acts on a key, as the audit trail records it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.test import RequestFactory

from apikeys.audit import Actor
from apikeys.models import ApiKeyEvent


def request_from(user: User | AnonymousUser, address: str = "198.51.100.7") -> HttpRequest:
    request = RequestFactory().post("/", REMOTE_ADDR=address)
    request.user = user
    return request


def test_the_owner_acting_on_their_key_is_the_owner(alice: User) -> None:
    actor = Actor.from_request(request_from(alice), owner_id=alice.pk)

    assert (actor.kind, actor.user, actor.client_address) == (
        ApiKeyEvent.ActorKind.OWNER,
        alice,
        "198.51.100.7",
    )


def test_someone_acting_on_anothers_key_is_staff(alice: User, staff: User) -> None:
    actor = Actor.from_request(request_from(staff), owner_id=alice.pk)

    assert (actor.kind, actor.user) == (ApiKeyEvent.ActorKind.STAFF, staff)


def test_nobody_signed_in_cannot_act(alice: User) -> None:
    with pytest.raises(PermissionDenied):
        Actor.from_request(request_from(AnonymousUser()), owner_id=alice.pk)
