"""The staff admin's key list: what it shows, finding keys (name, owner, lookup id, pasted key,
display prefix) and filtering them by status, scope and environment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from apikeys import services
from apikeys.models import ApiKey
from tests.admin_support import KEYS
from tests.support import MakeKey


def test_it_lists_keys_with_owner_name_prefix_environment_scopes_and_status(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice, "live", scopes=("generate",), name="render farm")

    response = staff_client.get(KEYS)

    assert response.status_code == 200
    row = response.content.decode()
    for shown in ("alice", "render farm", f"{api_key.display_prefix}…", "live", "generate"):
        assert shown in row
    assert "Active" in row
    assert raw_key not in row


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("render", "render farm"),
        ("bob@example.com", "bob's key"),
        ("bob", "bob's key"),
    ],
)
def test_it_finds_keys_by_name_and_owner(
    staff_client: Client, alice: User, bob: User, make_key: MakeKey, term: str, found: str
) -> None:
    make_key(alice, name="render farm")
    make_key(bob, name="bob's key")

    response = staff_client.get(KEYS, {"q": term})

    names = [api_key.name for api_key in response.context["cl"].result_list]
    assert names == [found]


def test_it_finds_a_key_by_its_lookup_id(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    wanted, _ = make_key(alice, name="wanted")
    make_key(alice, name="other")

    response = staff_client.get(KEYS, {"q": wanted.lookup_id})

    assert list(response.context["cl"].result_list) == [wanted]


def test_searching_for_a_pasted_key_searches_its_lookup_id_without_echoing_it(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    wanted, raw_key = make_key(alice, name="wanted")
    make_key(alice, name="other")

    redirect = staff_client.get(KEYS, {"q": raw_key})
    response = staff_client.get(redirect["Location"])

    assert redirect.status_code == 302
    assert raw_key not in redirect["Location"]
    assert list(response.context["cl"].result_list) == [wanted]
    assert raw_key not in response.content.decode()


def test_it_finds_a_key_by_its_display_prefix(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    wanted, _ = make_key(alice, name="wanted")
    make_key(alice, name="other")

    response = staff_client.get(KEYS, {"q": f"{wanted.display_prefix}…"}, follow=True)

    assert list(response.context["cl"].result_list) == [wanted]


@pytest.mark.parametrize("status", ["active", "revoked", "expired"])
def test_it_filters_keys_by_status(
    staff_client: Client, alice: User, make_key: MakeKey, status: str
) -> None:
    active, _ = make_key(alice, name="active")
    revoked, _ = make_key(alice, name="revoked")
    services.revoke_key(revoked, actor=services.Actor.command("tests"))
    expired, _ = make_key(alice, name="expired")
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))

    response = staff_client.get(KEYS, {"status": status})

    assert [api_key.name for api_key in response.context["cl"].result_list] == [status]
    assert status.capitalize() in response.content.decode()


@pytest.mark.parametrize(
    ("scope", "expected"), [("generate", ["both", "gen"]), ("read", ["both", "read"])]
)
def test_it_filters_keys_by_scope(
    staff_client: Client, alice: User, make_key: MakeKey, scope: str, expected: list[str]
) -> None:
    make_key(alice, scopes=("generate",), name="gen")
    make_key(alice, scopes=("read",), name="read")
    make_key(alice, scopes=("generate", "read"), name="both")

    response = staff_client.get(KEYS, {"scope": scope})

    assert sorted(api_key.name for api_key in response.context["cl"].result_list) == expected


def test_it_filters_keys_by_environment(
    staff_client: Client, alice: User, make_key: MakeKey
) -> None:
    make_key(alice, "live", name="live one")
    make_key(alice, "test", name="test one")

    response = staff_client.get(KEYS, {"environment__exact": "test"})

    assert [api_key.name for api_key in response.context["cl"].result_list] == ["test one"]
