"""ApiKeyAuthentication through /v1: the three header schemes and every way a key fails."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys import keys, services
from apikeys.models import ApiKey
from tests.support import MakeKey, bearer

ACCOUNT = "/v1/account"


def assert_invalid_key(response: Any) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="clipia"'
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "invalid_api_key"
    assert "clipia_live_" in error["message"] and "Authorization" in error["message"]


@pytest.mark.parametrize(
    "headers",
    [
        lambda raw: {"HTTP_AUTHORIZATION": f"Bearer {raw}"},
        lambda raw: {"HTTP_AUTHORIZATION": f"bearer {raw}"},
        lambda raw: {"HTTP_AUTHORIZATION": f"BEARER {raw}"},
        lambda raw: {"HTTP_AUTHORIZATION": f"Key {raw}"},
        lambda raw: {"HTTP_AUTHORIZATION": f"key {raw}"},
        lambda raw: {"HTTP_X_API_KEY": raw},
        lambda raw: {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_X_API_KEY": raw},
    ],
    ids=["bearer", "bearer-lower", "bearer-upper", "key", "key-lower", "x-api-key", "same-twice"],
)
def test_each_header_scheme_authenticates_as_the_keys_owner(
    api: Client, test_key: tuple[ApiKey, str], headers: Any
) -> None:
    row, raw = test_key

    response = api.get(ACCOUNT, **headers(raw))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == row.owner_id
    assert body["username"] == "alice"
    assert body["key"] == {
        "prefix": row.display_prefix,
        "environment": "test",
        "name": "alice test",
        "scopes": ["generate", "read"],
    }


def test_a_request_without_a_key_gets_401_with_a_challenge(api: Client, db: Any) -> None:
    assert_invalid_key(api.get(ACCOUNT))


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_AUTHORIZATION": "Bearer"},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": "Key"},
        {"HTTP_AUTHORIZATION": "Bearer not-a-key"},
        {"HTTP_AUTHORIZATION": "Basic YWxpY2U6cGFzc3dvcmQ="},
        {"HTTP_AUTHORIZATION": "Token 0123456789abcdef"},
        {"HTTP_X_API_KEY": ""},
        {"HTTP_X_API_KEY": "clipia_live_short"},
        {"HTTP_X_API_KEY": "x" * 10_000},
        {"HTTP_AUTHORIZATION": "Bearer clipia_live_ a b c"},
    ],
)
def test_malformed_headers_get_401_invalid_api_key(api: Client, db: Any, header: Any) -> None:
    assert_invalid_key(api.get(ACCOUNT, **header))


def test_a_wrong_secret_for_a_real_key_id_gets_401(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    from apikeys import keys

    row, raw = test_key
    forged = keys.generate_key("test", row.lookup_id)  # right id, checksum, wrong secret

    assert_invalid_key(api.get(ACCOUNT, **bearer(forged)))


def test_unknown_and_wrong_keys_get_the_same_message(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    from apikeys import keys

    row, raw = test_key
    unknown = api.get(ACCOUNT, **bearer(keys.generate_key("test", keys.generate_lookup_id())))
    wrong = api.get(ACCOUNT, **bearer(keys.generate_key("test", row.lookup_id)))

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_a_revoked_key_gets_401_on_the_very_next_request(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key
    assert api.get(ACCOUNT, **bearer(raw)).status_code == 200

    services.revoke_key(row, actor=services.Actor.command("tests"))

    assert_invalid_key(api.get(ACCOUNT, **bearer(raw)))


def test_a_key_whose_owner_is_deactivated_gets_401(
    api: Client, alice: User, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key
    alice.is_active = False
    alice.save()

    assert_invalid_key(api.get(ACCOUNT, **bearer(raw)))


def test_an_expired_key_gets_401_saying_when_it_expired(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key
    expired_at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    ApiKey.objects.filter(pk=row.pk).update(expires_at=expired_at)

    response = api.get(ACCOUNT, **bearer(raw))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="clipia"'
    assert response.json()["error"] == {
        "code": "invalid_api_key",
        "message": "This API key expired at 2026-03-01T09:30:00+00:00. "
        "Create a new key in the console.",
    }


def test_only_the_complete_correct_key_learns_that_it_expired(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key
    ApiKey.objects.filter(pk=row.pk).update(expires_at=datetime(2026, 3, 1, tzinfo=UTC))
    wrong = keys.generate_key("test", row.lookup_id)

    response = api.get(ACCOUNT, **bearer(wrong))

    assert_invalid_key(response)
    assert "expired" not in response.json()["error"]["message"]


def test_a_revoked_key_that_also_expired_is_not_told_either(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key
    ApiKey.objects.filter(pk=row.pk).update(
        expires_at=datetime(2026, 3, 1, tzinfo=UTC), revoked_at=datetime(2026, 2, 1, tzinfo=UTC)
    )

    response = api.get(ACCOUNT, **bearer(raw))

    assert_invalid_key(response)
    assert "expired" not in response.json()["error"]["message"]


def test_a_bearer_token_of_someone_else_beside_an_x_api_key_gets_400(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    _, raw = test_key

    response = api.get(ACCOUNT, HTTP_AUTHORIZATION="Bearer ghp_sometoken", HTTP_X_API_KEY=raw)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert raw not in response.content.decode()


def test_the_same_key_in_both_headers_is_one_credential(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    _, raw = test_key

    response = api.get(ACCOUNT, HTTP_X_API_KEY=raw, **bearer(raw))

    assert response.status_code == 200


def test_two_different_keys_in_one_request_get_400_invalid_request(
    api: Client, alice: User, make_key: MakeKey
) -> None:
    _, first = make_key(alice, "test")
    _, second = make_key(alice, "live")

    response = api.get(ACCOUNT, HTTP_AUTHORIZATION=f"Bearer {first}", HTTP_X_API_KEY=second)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert first not in error["message"] and second not in error["message"]


def test_a_key_with_its_environment_prefix_swapped_is_refused(
    api: Client, live_key: tuple[ApiKey, str]
) -> None:
    from apikeys import keys

    row, raw = live_key
    # Rebuild a well-formed test-prefixed key around the live key's id and secret.
    unsigned = raw[: -keys.CHECKSUM_LENGTH].replace("clipia_live_", "clipia_test_")
    swapped = unsigned + keys.checksum(unsigned)

    assert_invalid_key(api.get(ACCOUNT, **bearer(swapped)))


def test_session_login_does_not_authenticate_v1(client: Client, alice: User) -> None:
    client.force_login(alice)

    assert_invalid_key(client.get(ACCOUNT))


def test_error_messages_never_echo_the_key(api: Client, test_key: tuple[ApiKey, str]) -> None:
    row, raw = test_key
    services.revoke_key(row, actor=services.Actor.command("tests"))

    response = api.get(ACCOUNT, **bearer(raw))

    assert raw not in response.content.decode()
    assert row.lookup_id not in response.content.decode()
