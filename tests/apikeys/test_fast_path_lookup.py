"""The fast path's lookup: a warm key in exactly one indexed query loading what the request
reads, garbage refused before the database, and revoked, expired and deactivated owners'
keys refused on their next request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apikeys import rolling, services
from apikeys.authentication import ApiKeyAuthentication
from apikeys.lookup import lookup
from apikeys.models import ApiKey
from tests.apikeys.helpers import ACCOUNT, apikey_queries, malformed
from tests.support import bearer


def authenticate(raw_key: str) -> tuple[Any, Any] | None:
    request = Request(APIRequestFactory().get(ACCOUNT, HTTP_AUTHORIZATION=f"Bearer {raw_key}"))
    return ApiKeyAuthentication().authenticate(request)


def test_it_authenticates_a_warm_key_in_exactly_one_query(
    test_key: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    row, raw = test_key
    authenticate(raw)  # first use: records last_used_at and the first-use event

    with django_assert_num_queries(1) as captured:
        user, api_key = authenticate(raw)  # type: ignore[misc]

    assert (user.pk, api_key.pk) == (row.owner_id, row.pk)
    sql = captured.captured_queries[0]["sql"]
    assert "apikeys_apikey" in sql and "auth_user" in sql
    assert row.lookup_id in sql


def test_a_warm_v1_request_reads_its_key_once_and_writes_nothing(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key
    api.get(ACCOUNT, **bearer(raw))

    with CaptureQueriesContext(connection) as captured:
        response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 200
    assert response.json()["key"]["prefix"] == row.display_prefix
    assert len(apikey_queries(captured)) == 1
    writes = ("INSERT", "UPDATE", "DELETE")
    assert not [q["sql"] for q in captured.captured_queries if q["sql"].startswith(writes)]


def test_the_one_query_loads_what_the_request_path_reads(
    alice: User, test_key: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    row, _ = test_key
    ApiKey.objects.filter(pk=row.pk).update(
        last_used_at=timezone.now(), expires_at=timezone.now() + timedelta(days=3)
    )
    expected = ApiKey.objects.select_related("owner").get(pk=row.pk)

    with django_assert_num_queries(1):
        loaded = lookup(row.lookup_id)
        assert loaded is not None
        fields = ("id", "owner_id", "lookup_id", "environment", "name", "scopes", "verifier")
        assert [getattr(loaded, name) for name in fields] == [
            getattr(expected, name) for name in fields
        ]
        assert loaded.revoked_at is None
        assert loaded.expires_at == expected.expires_at
        assert loaded.last_used_at == expected.last_used_at
        assert loaded.expires_at is not None and timezone.is_aware(loaded.expires_at)
        assert loaded.owner.pk == alice.pk
        assert loaded.owner.get_username() == "alice"
        assert loaded.owner.is_active is True


def test_fields_the_request_path_does_not_read_load_on_access(
    test_key: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    row, _ = test_key
    loaded = lookup(row.lookup_id)
    assert loaded is not None

    email = row.owner.email
    with django_assert_num_queries(1):
        assert loaded.owner.email == email


def test_an_unknown_lookup_id_loads_nothing(db: Any) -> None:
    assert lookup("000000000000") is None


def test_a_malformed_key_is_refused_without_any_query(
    api: Client, test_key: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    _, raw = test_key

    with django_assert_num_queries(0):
        response = api.get(ACCOUNT, **bearer(malformed(raw)))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert ApiKey.objects.get(lookup_id=test_key[0].lookup_id).last_used_at is None


def test_a_request_without_a_key_makes_no_query(
    api: Client, db: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = api.get(ACCOUNT)

    assert response.status_code == 401


def test_a_revoked_key_is_refused_on_its_next_request(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key
    assert api.get(ACCOUNT, **bearer(raw)).status_code == 200

    services.revoke_key(row, actor=services.Actor.command("tests"))
    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_an_expired_key_is_refused_once_its_time_has_come(
    api: Client, test_key: tuple[ApiKey, str], clock: Callable[[timedelta], datetime]
) -> None:
    row, raw = test_key
    ApiKey.objects.filter(pk=row.pk).update(expires_at=clock(timedelta(0)) + timedelta(hours=1))
    assert api.get(ACCOUNT, **bearer(raw)).status_code == 200

    clock(timedelta(hours=1))
    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 401


def test_a_deactivated_owners_key_is_refused(
    api: Client, alice: User, test_key: tuple[ApiKey, str]
) -> None:
    _, raw = test_key
    assert api.get(ACCOUNT, **bearer(raw)).status_code == 200

    User.objects.filter(pk=alice.pk).update(is_active=False)
    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 401


def test_a_warm_request_with_a_rolled_keys_old_secret_is_one_query_too(
    test_key: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    row, old = test_key
    _, new = rolling.roll_key(row, grace=timedelta(hours=1), actor=services.Actor.command("t"))
    authenticate(old)  # notes the old secret's use
    authenticate(new)  # and the new one's

    for raw in (old, new):
        with django_assert_num_queries(1):
            user, api_key = authenticate(raw)  # type: ignore[misc]
        assert api_key.pk == row.pk
