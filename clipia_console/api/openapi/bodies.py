"""The response bodies of /v1 in OpenAPI terms (views answer plain dicts, so
drf-spectacular cannot infer them), each with an example. ``view.finish`` puts them
under components/schemas; schemathesis checks every response against them.
"""

from __future__ import annotations

from typing import Any

from apikeys.models import SCOPES
from clipia_console.api.openapi.components import ENVIRONMENTS, TIMESTAMP, ref
from clipia_console.api.openapi.key_bodies import KEY_SCHEMAS
from clipia_console.generations.models import Generation

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
            "created_at": TIMESTAMP,
            "completed_at": {**TIMESTAMP, "nullable": True},
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
    **KEY_SCHEMAS,
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
