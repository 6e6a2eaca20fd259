"""The request bodies /v1 takes, in OpenAPI terms (for clipia_console.api.openapi.operations)."""

from __future__ import annotations

from typing import Any

from apikeys.credentials import MAX_CREDENTIAL_LENGTH
from apikeys.exposure import MAX_KEYS_PER_REPORT
from clipia_console.api.serializers import ASPECT_RATIOS, MAX_PROMPT_LENGTH

GENERATION_REQUEST: dict[str, Any] = {
    "type": "object",
    "required": ["prompt"],
    "additionalProperties": False,
    "properties": {
        "prompt": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_PROMPT_LENGTH,
            "description": "What to make. Control characters other than newline and tab "
            "are refused. With a test key, a prompt that begins with clipia-sandbox:fail, "
            ":slow, :insufficient-credits or :rate-limited rehearses that outcome.",
        },
        "duration_seconds": {
            "type": "integer",
            "minimum": 1,
            "description": "At most the model's max_duration_seconds.",
        },
        "aspect_ratio": {"type": "string", "enum": list(ASPECT_RATIOS)},
        "seed": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    },
}

EXPOSED_KEYS_REQUEST: dict[str, Any] = {
    "type": "object",
    "required": ["keys"],
    "properties": {
        "keys": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_KEYS_PER_REPORT,
            "items": {"type": "string", "minLength": 1, "maxLength": MAX_CREDENTIAL_LENGTH},
            "description": "Full API keys found exposed (in a repository, a paste, a log).",
        },
    },
}
