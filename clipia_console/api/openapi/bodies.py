"""The response bodies of /v1 in OpenAPI terms (views answer plain dicts, so
drf-spectacular cannot infer them), each with an example. ``schema_view.finish`` puts them
under components/schemas; schemathesis checks every response against them.
"""

from __future__ import annotations

from typing import Any

from apikeys.models import SCOPES, BudgetPeriod
from clipia_console.api.openapi.components import ENVIRONMENTS, ref
from clipia_console.generations.models import Generation

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
    "Budget": {
        "type": "object",
        "description": "The key's spending budget; every field null for a key without one. "
        "Test keys' budgets count what their generations would cost live.",
        "required": ["limit", "period", "spent", "remaining", "resets_at"],
        "properties": {
            "limit": {"type": "integer", "minimum": 0, "nullable": True},
            "period": {
                "type": "string",
                "enum": [*(choice.value for choice in BudgetPeriod), None],
                "nullable": True,
            },
            "spent": {"type": "integer", "minimum": 0, "nullable": True},
            "remaining": {"type": "integer", "minimum": 0, "nullable": True},
            "resets_at": {
                **_TIMESTAMP,
                "nullable": True,
                "description": "Null without a budget or for a `total` one (never resets).",
            },
        },
    },
    "ApiKey": {
        "type": "object",
        "description": "The key that made the request: what it is and what it may do.",
        "required": [
            *("object", "prefix", "name", "environment", "scopes", "created_at", "expires_at"),
            *("last_used_at", "paused", "allowed_models", "allowed_ips", "budget"),
        ],
        "properties": {
            "object": {"type": "string", "enum": ["api_key"]},
            "prefix": {"type": "string", "description": "Never the full key."},
            "name": {"type": "string"},
            "environment": {"type": "string", "enum": ENVIRONMENTS},
            "scopes": {"type": "array", "items": {"type": "string", "enum": list(SCOPES)}},
            "created_at": _TIMESTAMP,
            "expires_at": {**_TIMESTAMP, "nullable": True, "description": "Null: never."},
            "last_used_at": {**_TIMESTAMP, "nullable": True},
            "paused": {"type": "boolean", "description": "Paused keys can read, not generate."},
            "allowed_models": {
                "type": "array",
                "items": {"type": "string"},
                "nullable": True,
                "description": "Model ids this key may generate with; null: all.",
            },
            "allowed_ips": {
                "type": "array",
                "items": {"type": "string"},
                "nullable": True,
                "description": "Addresses or CIDR ranges the key works from; null: anywhere.",
            },
            "budget": ref("Budget"),
        },
        "example": {
            "object": "api_key",
            "prefix": "clipia_live_4f9Kq2XbLm0Z…",
            "name": "Production server",
            "environment": "live",
            "scopes": ["generate", "read"],
            "created_at": "2026-11-02T09:30:00+00:00",
            "expires_at": None,
            "last_used_at": "2026-12-01T13:59:12+00:00",
            "paused": False,
            "allowed_models": ["clipia/motion-v1"],
            "allowed_ips": ["203.0.113.0/24"],
            "budget": {
                "limit": 5000,
                "period": "month",
                "spent": 1240,
                "remaining": 3760,
                "resets_at": "2027-01-01T00:00:00Z",
            },
        },
    },
    "Usage": {
        "type": "object",
        "description": "Per UTC day, key and model: generations and credits, in the calling "
        "key's environment, for the whole account (test keys: what it would cost live).",
        "required": ["object", "environment", "days", "data"],
        "properties": {
            "object": {"type": "string", "enum": ["usage"]},
            "environment": {"type": "string", "enum": ENVIRONMENTS},
            "days": {"type": "integer", "minimum": 1},
            "data": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["date", "key", "model", "generations", "credits"],
                    "properties": {
                        "date": {"type": "string", "format": "date"},
                        "key": {"type": "string", "description": "The key's prefix."},
                        "model": {"type": "string"},
                        "generations": {"type": "integer", "minimum": 0},
                        "credits": {"type": "integer", "minimum": 0},
                    },
                },
            },
        },
        "example": {
            "object": "usage",
            "environment": "live",
            "days": 30,
            "data": [
                {
                    "date": "2026-12-01",
                    "key": "clipia_live_4f9Kq2XbLm0Z…",
                    "model": "clipia/motion-v1",
                    "generations": 3,
                    "credits": 60,
                }
            ],
        },
    },
    "ExposureReport": {
        "type": "object",
        "required": ["object", "received"],
        "properties": {
            "object": {"type": "string", "enum": ["exposure_report"]},
            "received": {
                "type": "integer",
                "minimum": 1,
                "description": "How many keys the report held (never which of them existed).",
            },
        },
        "example": {"object": "exposure_report", "received": 2},
    },
}
