"""The parts of the OpenAPI description that views do not say by themselves, besides the
bodies (openapi_bodies): the error codes and the headers. ``schema`` assembles them per
operation; schemathesis checks every response against them.
"""

from __future__ import annotations

from typing import Any

from apikeys.models import ApiKey

ENVIRONMENTS = [choice.value for choice in ApiKey.Environment]
TIMESTAMP = {"type": "string", "format": "date-time"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def header_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


# Every error code /v1 answers, with its status and when. One place: the schema's enums,
# the descriptions and the docs pages all read it.
ERRORS: dict[str, tuple[int, str]] = {
    "invalid_request": (
        400,
        "Invalid body or fields (see `fields`), bad JSON, or two different keys in one request.",
    ),
    "invalid_api_key": (401, "Missing, malformed, unknown, revoked or expired key."),
    "insufficient_credits": (
        402,
        "A live generation costs more than the balance. Nothing is charged.",
    ),
    "key_budget_exceeded": (
        402,
        "The generation costs more than what is left of the key's budget (per day, week, "
        "month or in total). Nothing is charged.",
    ),
    "insufficient_scope": (403, "The key lacks the scope this operation needs."),
    "ip_not_allowed": (
        403,
        "The key has allowed addresses and the request came from another (the message "
        "names the address seen).",
    ),
    "key_paused": (403, "The key's spending is paused: it can read, not generate."),
    "model_not_allowed": (403, "The key may not use this model (it has a list of models)."),
    "not_found": (
        404,
        "No such endpoint, or no such resource (also when it belongs to another "
        "account or environment).",
    ),
    "model_not_found": (404, "No active model with that id."),
    "method_not_allowed": (405, "The path exists but not with this method."),
    "idempotency_conflict": (
        409,
        "The Idempotency-Key was used for a different request, "
        "or its first request is still in flight.",
    ),
    "length_required": (
        411,
        "A body sent chunked (Transfer-Encoding) instead of with a Content-Length header.",
    ),
    "payload_too_large": (413, "The body is over the size limit (64 KiB by default)."),
    "unsupported_media_type": (415, "A body that is not application/json."),
    "rate_limited": (429, "Too many requests; retry after Retry-After seconds."),
    "service_unavailable": (
        503,
        "Temporarily unavailable; retry after Retry-After seconds (with the same Idempotency-Key).",
    ),
}

# What any /v1 request can be answered, whatever the operation; and any authenticated one.
PUBLIC_ERRORS = ("invalid_request", "payload_too_large", "rate_limited", "service_unavailable")
# allowed_ips applies to every keyed view (checked by authentication itself).
AUTHENTICATED_ERRORS = (*PUBLIC_ERRORS, "invalid_api_key", "ip_not_allowed")
# Codes of any operation that takes a request body.
BODY_ERRORS = ("length_required", "unsupported_media_type")


def error_schema(codes: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "enum": codes},
                    "message": {"type": "string", "description": "For people; may change."},
                    "fields": {
                        "type": "object",
                        "description": "invalid_request only: messages per field.",
                        "additionalProperties": {},
                    },
                },
            }
        },
    }


def _header(description: str, **schema: Any) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string", **schema}}


HEADERS: dict[str, dict[str, Any]] = {
    "Retry-After": _header("Seconds to wait before retrying.", pattern="^[0-9]+$"),
    "WWW-Authenticate": _header('The challenge: Bearer realm="clipia".'),
    "Idempotent-Replayed": _header(
        "`true` when this is the stored answer to an earlier request with the same "
        "Idempotency-Key (nothing was charged again).",
        enum=["true"],
    ),
    "Clipia-Environment": _header(
        "`live` or `test`: the environment of the key that made the request.",
        enum=ENVIRONMENTS,
    ),
    "Clipia-Key-Expires": _header(
        "When the calling key expires (ISO 8601); absent for a key that never expires.",
        format="date-time",
    ),
    "Clipia-Key-Budget-Limit": _header(
        "The calling key's budget in credits for the current window, when it has one.",
        pattern="^[0-9]+$",
    ),
    "Clipia-Key-Budget-Remaining": _header(
        "Credits left in the calling key's budget for the current window, when it has one.",
        pattern="^[0-9]+$",
    ),
    "Clipia-Key-Budget-Reset": _header(
        "When the calling key's budget window starts again (ISO 8601), when it has one.",
        format="date-time",
    ),
    "Clipia-Credits-Charged": _header(
        "Credits this request charged (0 in test mode).", pattern="^[0-9]+$"
    ),
    "RateLimit-Policy": _header(
        'The request limit that applies (IETF RateLimit headers), e.g. `"generate";q=20;w=60`: '
        "20 requests per 60 seconds."
    ),
    "RateLimit": _header(
        'What is left of that limit, e.g. `"generate";r=19;t=42`: 19 more requests in the '
        "next 42 seconds."
    ),
}

# Headers on answers of an operation with a request limit
# (generations.request_limits.count_generation): where the caller stands, on every answer
# given after the request was counted.
RATE_LIMIT_HEADERS = ("RateLimit-Policy", "RateLimit")

# Headers on answers to requests whose key was read (all but 401).
KEY_HEADERS = (
    "Clipia-Environment",
    "Clipia-Key-Expires",
    "Clipia-Key-Budget-Limit",
    "Clipia-Key-Budget-Remaining",
    "Clipia-Key-Budget-Reset",
)
