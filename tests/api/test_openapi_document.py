"""The OpenAPI description of /v1 as a document: served without a key, valid, the same as the
checked-in docs/openapi.json, every endpoint and nothing else, the ways to send a key, and
examples the answers match."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.test import Client
from django.utils import timezone
from openapi_spec_validator import validate

from apikeys.models import ApiKey
from tests.api.helpers import operations
from tests.support import bearer, budget

CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


THREE_HEADERS: list[dict[str, list[str]]] = [
    {"bearerAuth": []},
    {"keyAuth": []},
    {"apiKeyHeader": []},
]


def test_it_is_served_as_json_without_a_key(api: Client, db: Any) -> None:
    response = api.get("/v1/openapi.json", HTTP_AUTHORIZATION="Bearer clipia_live_nonsense")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["openapi"].startswith("3.")


def test_it_is_valid_openapi(schema: dict[str, Any]) -> None:
    validate(schema)


def test_the_checked_in_copy_is_up_to_date(schema: dict[str, Any]) -> None:
    checked_in = json.loads(CHECKED_IN.read_text())
    assert checked_in == schema, "docs/openapi.json is out of date: run `make openapi`"


def test_it_describes_every_v1_endpoint_and_nothing_else(schema: dict[str, Any]) -> None:
    assert sorted(operations(schema)) == [
        "GET /v1/account",
        "GET /v1/generations/{generation_id}",
        "GET /v1/key",
        "GET /v1/models",
        "GET /v1/models/{model_id}",
        "GET /v1/usage",
        "POST /v1/keys/revoke",
        "POST /v1/models/{model_id}",
    ]


def test_it_declares_the_three_ways_to_send_a_key(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]

    assert schemes["bearerAuth"]["type"] == "http"
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert schemes["keyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schemes["keyAuth"]["description"],
    }
    assert "Authorization: Key" in schemes["keyAuth"]["description"]
    assert schemes["apiKeyHeader"]["name"] == "X-Api-Key"
    keyed = operations(schema)
    assert "security" not in keyed.pop("POST /v1/keys/revoke")
    for op in keyed.values():
        assert op["security"] == THREE_HEADERS


def test_it_has_request_and_response_examples(schema: dict[str, Any]) -> None:
    create = operations(schema)["POST /v1/models/{model_id}"]
    body = create["requestBody"]["content"]["application/json"]
    assert body["examples"]["Sandbox"]["value"]["prompt"]
    assert schema["components"]["schemas"]["Generation"]["example"]["object"] == "generation"
    example_402 = create["responses"]["402"]["content"]["application/json"]["examples"]
    assert example_402["InsufficientCredits"]["value"]["error"]["code"] == "insufficient_credits"


def test_the_answers_match_the_schema_for_a_sample_request(
    api: Client, schema: dict[str, Any], test_key: Any
) -> None:
    response = api.post(
        "/v1/models/clipia/motion-v1",
        {"prompt": "a fox"},
        content_type="application/json",
        **bearer(test_key[1]),
    )

    assert response.status_code == 201
    assert set(response.json()) == set(schema["components"]["schemas"]["Generation"]["required"])


def test_every_header_a_budgeted_expiring_key_gets_is_described(
    api: Client, schema: dict[str, Any], test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key
    ApiKey.objects.filter(pk=row.pk).update(expires_at=timezone.now() + timedelta(days=30))
    budget(row, 1000)
    generation = api.post(
        "/v1/models/clipia/motion-v1",
        {"prompt": "a fox"},
        content_type="application/json",
        **bearer(raw),
    )
    answers = {
        ("POST /v1/models/{model_id}", 201): generation,
        ("GET /v1/key", 200): api.get("/v1/key", **bearer(raw)),
        ("GET /v1/usage", 200): api.get("/v1/usage?days=7", **bearer(raw)),
        ("GET /v1/account", 200): api.get("/v1/account", **bearer(raw)),
    }

    for (name, status), response in answers.items():
        assert response.status_code == status, name
        ours = {
            header
            for header in response.headers
            if header.startswith(("Clipia-", "RateLimit", "Idempotent-"))
        }
        assert "Clipia-Key-Budget-Remaining" in ours and "Clipia-Key-Expires" in ours
        described = operations(schema)[name]["responses"][str(status)]["headers"]
        assert ours <= set(described), name
