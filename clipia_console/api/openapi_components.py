"""The parts of the OpenAPI description that views do not say by themselves: the response
bodies (views answer plain dicts), the error codes, and the headers. ``schema`` assembles
them per operation; schemathesis checks every response against them.
"""

from __future__ import annotations

from typing import Any

from apikeys.models import SCOPES, ApiKey
from clipia_console.api.models import Generation

ENVIRONMENTS = [choice.value for choice in ApiKey.Environment]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def header_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


_TIMESTAMP = {"type": "string", "format": "date-time"}

SCHEMAS: dict[str, dict[str, Any]] = {
    "KeySummary": {
        "type": "object",
        "description": "The key that made the request.",
        "required": ["prefix", "environment", "name", "scopes"],
        "properties": {
            "prefix": {
                "type": "string",
                "description": "The key's public prefix, e.g. clipia_live_4f9Kq2XbLm0Z… "
                "(never the full key).",
            },
            "environment": {"type": "string", "enum": ENVIRONMENTS},
            "name": {"type": "string"},
            "scopes": {"type": "array", "items": {"type": "string", "enum": list(SCOPES)}},
        },
    },
    "Account": {
        "type": "object",
        "required": ["id", "object", "username", "credits", "key"],
        "properties": {
            "id": {"type": "integer"},
            "object": {"type": "string", "enum": ["account"]},
            "username": {"type": "string"},
            "credits": {"type": "integer", "minimum": 0, "description": "The balance."},
            "key": ref("KeySummary"),
        },
        "example": {
            "id": 42,
            "object": "account",
            "username": "ada",
            "credits": 980,
            "key": {
                "prefix": "clipia_live_4f9Kq2XbLm0Z…",
                "environment": "live",
                "name": "Production server",
                "scopes": ["generate", "read"],
            },
        },
    },
    "Model": {
        "type": "object",
        "required": ["id", "object", "name", "description", "price_credits"],
        "properties": {
            "id": {"type": "string", "example": "clipia/motion-v1"},
            "object": {"type": "string", "enum": ["model"]},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "price_credits": {
                "type": "integer",
                "minimum": 0,
                "description": "What one live generation costs.",
            },
            "max_duration_seconds": {"type": "integer", "minimum": 1},
        },
        "example": {
            "id": "clipia/motion-v1",
            "object": "model",
            "name": "Clipia Motion v1",
            "description": "General-purpose text-to-video: 720p, up to 10 seconds, natural motion.",
            "price_credits": 20,
            "max_duration_seconds": 10,
        },
    },
    "ModelList": {
        "type": "object",
        "required": ["object", "data"],
        "properties": {
            "object": {"type": "string", "enum": ["list"]},
            "data": {"type": "array", "items": ref("Model")},
        },
    },
    "Generation": {
        "type": "object",
        "required": [
            *("id", "object", "model", "environment", "status", "prompt", "params", "cost"),
            *("result", "error", "created_at", "completed_at"),
        ],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "object": {"type": "string", "enum": ["generation"]},
            "model": {"type": "string"},
            "environment": {"type": "string", "enum": ENVIRONMENTS},
            "status": {
                "type": "string",
                "enum": [choice.value for choice in Generation.Status],
                "description": "queued → running → succeeded or failed.",
            },
            "prompt": {"type": "string"},
            "params": {
                "type": "object",
                "description": "The optional fields of the request, as sent.",
                "properties": {
                    "duration_seconds": {"type": "integer"},
                    "aspect_ratio": {"type": "string"},
                    "seed": {"type": "integer"},
                },
            },
            "cost": {
                "type": "integer",
                "minimum": 0,
                "description": "Credits charged (0 in test mode). A failed live "
                "generation is refunded.",
            },
            "result": {
                "type": "object",
                "nullable": True,
                "description": "Set once succeeded.",
                "properties": {
                    "video_url": {"type": "string", "format": "uri"},
                    "duration_seconds": {"type": "integer"},
                    "aspect_ratio": {"type": "string"},
                    "mock": {"type": "boolean", "description": "True in test mode."},
                },
            },
            "error": {"type": "string", "nullable": True, "description": "Set once failed."},
            "created_at": _TIMESTAMP,
            "completed_at": {**_TIMESTAMP, "nullable": True},
        },
        "example": {
            "id": "5f0c6d1e-8a39-4c1b-9d53-2b6f0e7a9c41",
            "object": "generation",
            "model": "clipia/motion-v1",
            "environment": "test",
            "status": "succeeded",
            "prompt": "a red fox running through fresh snow",
            "params": {"duration_seconds": 5},
            "cost": 0,
            "result": {
                "video_url": "https://cdn.clipia.ai/sandbox/clipia/motion-v1/sample.mp4",
                "duration_seconds": 5,
                "aspect_ratio": "16:9",
                "mock": True,
            },
            "error": None,
            "created_at": "2026-12-01T14:00:00.000000+00:00",
            "completed_at": "2026-12-01T14:00:00.000000+00:00",
        },
    },
}

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
    "insufficient_scope": (403, "The key lacks the scope this operation needs."),
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
AUTHENTICATED_ERRORS = (*PUBLIC_ERRORS, "invalid_api_key")


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
    "RateLimit-Policy": _header("The request limit that applies (IETF RateLimit headers)."),
    "RateLimit": _header("What is left of that limit (IETF RateLimit headers)."),
}

# Headers on answers to requests whose key was read (all but 401).
KEY_HEADERS = (
    "Clipia-Environment",
    "Clipia-Key-Expires",
    "Clipia-Key-Budget-Limit",
    "Clipia-Key-Budget-Remaining",
    "Clipia-Key-Budget-Reset",
)
