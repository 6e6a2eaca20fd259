"""What the OpenAPI description says of each /v1 operation: the scope it needs, the error
codes it can answer (every code the API raises), and the request and response headers,
including those of a budgeted, expiring key."""

from __future__ import annotations

from typing import Any

from clipia_console.api.openapi.components import ERRORS
from clipia_console.api.refusal_table import TABLE
from tests.api.helpers import operations


def error_codes(op: dict[str, Any], status: int) -> list[str]:
    content = op["responses"][str(status)]["content"]["application/json"]
    return list(content["schema"]["properties"]["error"]["properties"]["code"]["enum"])


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
