"""The response bodies of the key's own endpoints (GET /v1/key, GET /v1/usage) in OpenAPI
terms, each with an example; clipia_console.api.openapi.bodies puts them among the others.
"""

from __future__ import annotations

from typing import Any

from apikeys.models import SCOPES, BudgetPeriod
from clipia_console.api.openapi.components import ENVIRONMENTS, TIMESTAMP, ref

KEY_SCHEMAS: dict[str, dict[str, Any]] = {
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
                **TIMESTAMP,
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
            "created_at": TIMESTAMP,
            "expires_at": {**TIMESTAMP, "nullable": True, "description": "Null: never."},
            "last_used_at": {**TIMESTAMP, "nullable": True},
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
}
