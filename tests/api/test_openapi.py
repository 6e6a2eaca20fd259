"""The OpenAPI description of /v1: served without a key, valid, the same as the checked-in
docs/openapi.json, and saying what each operation needs and can answer."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import path
from django.utils import timezone
from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiResponse
from openapi_spec_validator import validate
from rest_framework.response import Response
from rest_framework.views import APIView

from apikeys.models import ApiKey
from clipia_console.api.openapi.components import ERRORS
from clipia_console.api.openapi.schema import documented, operation
from clipia_console.api.refusal_table import TABLE
from tests.support import bearer, budget

CHECKED_IN = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
THREE_HEADERS: list[dict[str, list[str]]] = [
    {"bearerAuth": []},
    {"keyAuth": []},
    {"apiKeyHeader": []},
]


@pytest.fixture
def schema(api: Client) -> dict[str, Any]:
    response = api.get("/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": op
        for path, item in schema["paths"].items()
        for method, op in item.items()
    }


def error_codes(op: dict[str, Any], status: int) -> list[str]:
    content = op["responses"][str(status)]["content"]["application/json"]
    return list(content["schema"]["properties"]["error"]["properties"]["code"]["enum"])


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


def test_each_operation_names_the_scope_it_needs(schema: dict[str, Any]) -> None:
    scopes = {name: op["x-clipia-scope"] for name, op in operations(schema).items()}

    assert scopes.pop("POST /v1/models/{model_id}") == "generate"
    assert scopes.pop("GET /v1/usage") == "read"
    assert set(scopes.values()) == {None}
    create = operations(schema)["POST /v1/models/{model_id}"]
    assert "Needs the `generate` scope." in create["description"]


def test_each_operation_lists_the_error_codes_it_can_answer(schema: dict[str, Any]) -> None:
    create = operations(schema)["POST /v1/models/{model_id}"]
    assert error_codes(create, 402) == ["insufficient_credits", "key_budget_exceeded"]
    assert error_codes(create, 403) == [
        "insufficient_scope",
        "ip_not_allowed",
        "key_paused",
        "model_not_allowed",
    ]
    assert error_codes(create, 404) == ["model_not_found", "not_found"]
    assert error_codes(create, 409) == ["idempotency_conflict"]
    assert error_codes(create, 411) == ["length_required"]
    assert error_codes(create, 415) == ["unsupported_media_type"]
    read = operations(schema)["GET /v1/generations/{generation_id}"]
    assert error_codes(read, 404) == ["not_found"]
    assert "402" not in read["responses"]
    assert "411" not in read["responses"]
    assert error_codes(operations(schema)["GET /v1/usage"], 403) == [
        "insufficient_scope",
        "ip_not_allowed",
    ]
    revoke = operations(schema)["POST /v1/keys/revoke"]
    assert sorted(revoke["responses"]) == ["202", "400", "411", "413", "415", "429", "503"]
    keyed = {name: op for name, op in operations(schema).items() if "security" in op}
    for name, op in keyed.items():
        assert error_codes(op, 401) == ["invalid_api_key"], name
        assert "ip_not_allowed" in error_codes(op, 403), name
        assert error_codes(op, 429) == ["rate_limited"], name
        assert error_codes(op, 503) == ["service_unavailable"], name
        assert "`invalid_api_key`" in op["description"]


def test_every_code_the_api_raises_is_documented_with_its_status() -> None:
    # Django's and DRF's fallbacks that no /v1 view raises on purpose are not described.
    undescribed = {"permission_denied", "not_acceptable", "internal_error"}
    raised = {
        refusal.code: refusal.status
        for refusal in TABLE.values()
        if refusal.code not in undescribed
    }
    assert raised
    for code, status in raised.items():
        assert ERRORS[code][0] == status, code


def test_it_describes_the_request_and_response_headers(schema: dict[str, Any]) -> None:
    create = operations(schema)["POST /v1/models/{model_id}"]
    header_params = {p["name"] for p in create["parameters"] if p["in"] == "header"}
    assert header_params == {"Idempotency-Key"}
    assert "Idempotent-Replayed" in create["responses"]["201"]["headers"]
    assert "Clipia-Credits-Charged" in create["responses"]["201"]["headers"]
    assert "Retry-After" in create["responses"]["429"]["headers"]
    assert "Retry-After" in create["responses"]["503"]["headers"]
    assert create["x-clipia-rate-limit"] == "generate"
    for status in ("201", "402", "409", "429"):
        assert {"RateLimit", "RateLimit-Policy"} <= set(create["responses"][status]["headers"])
    assert "RateLimit" not in create["responses"]["415"]["headers"]  # refused before counting
    for name, op in operations(schema).items():
        if "security" not in op:
            continue
        for status, response in op["responses"].items():
            if status != "401":
                assert {
                    "Clipia-Environment",
                    "Clipia-Key-Expires",
                    "Clipia-Key-Budget-Limit",
                    "Clipia-Key-Budget-Remaining",
                    "Clipia-Key-Budget-Reset",
                } <= set(response["headers"]), (name, status)
            if name != "POST /v1/models/{model_id}":
                assert "RateLimit" not in response["headers"], (name, status)
    account = operations(schema)["GET /v1/account"]
    assert "WWW-Authenticate" in account["responses"]["401"]["headers"]
    revoke = operations(schema)["POST /v1/keys/revoke"]
    assert revoke["responses"]["202"]["headers"] == {}
    assert "Retry-After" in revoke["responses"]["429"]["headers"]
    documented = set(schema["components"]["headers"])
    assert {
        "Clipia-Environment",
        "Clipia-Key-Expires",
        "Clipia-Key-Budget-Limit",
        "Clipia-Key-Budget-Remaining",
        "Clipia-Key-Budget-Reset",
        "Clipia-Credits-Charged",
    } <= documented


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


class PublicView(APIView):
    """Stands for an endpoint without authentication, like POST /v1/keys/revoke."""

    authentication_classes = ()
    permission_classes = ()

    def post(self, request: Any) -> Response:
        return Response(status=202)


class PublicViewSchema(OpenApiViewExtension):
    target_class = PublicView

    def view_replacement(self) -> type[APIView]:
        return documented(
            self.target,
            post=operation(
                operation_id="public_thing",
                summary="A public thing",
                description="Needs nothing.",
                tag="Keys",
                authenticated=False,
                success={202: OpenApiResponse(description="Accepted.")},
                errors=["invalid_request"],
            ),
        )


def test_a_new_endpoint_is_documented_with_one_extension_and_may_be_public() -> None:
    generator = SchemaGenerator(patterns=[path("v1/public", PublicView.as_view())])

    op = generator.get_schema(request=None, public=True)["paths"]["/v1/public"]["post"]

    assert "security" not in op
    assert sorted(op["responses"]) == ["202", "400", "413", "429", "503"]  # no body: no 411
    assert "Clipia-Environment" not in op["responses"]["202"]["headers"]
    assert "Needs no API key." in op["description"]
