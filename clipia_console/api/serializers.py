"""Request validation and response shapes for /v1."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from rest_framework import serializers

from apikeys.models import ApiKey
from clipia_console.billing import budgets
from clipia_console.generations import sandbox
from clipia_console.generations.models import Generation, VideoModel

ASPECT_RATIOS = ("16:9", "9:16", "1:1")
MAX_PROMPT_LENGTH = 2000


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of quietly stringifying them."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class GenerationRequest(serializers.Serializer[dict[str, Any]]):
    """The body of POST /v1/models/{model}. Unknown fields are refused, so a typo in an
    optional parameter is an error rather than a silently ignored setting."""

    prompt = StrictCharField(max_length=MAX_PROMPT_LENGTH, trim_whitespace=True)
    duration_seconds = serializers.IntegerField(min_value=1, required=False)
    aspect_ratio = serializers.ChoiceField(choices=ASPECT_RATIOS, required=False)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)

    def __init__(self, *args: Any, model: VideoModel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model = model

    def validate_prompt(self, value: str) -> str:
        # Category Cc: C0 and C1 controls and DEL; newlines and tabs are fine in a prompt.
        if any(unicodedata.category(char) == "Cc" and char not in "\n\t" for char in value):
            raise serializers.ValidationError("The prompt contains control characters.")
        return value

    def validate_duration_seconds(self, value: int) -> int:
        if value > self.model.max_duration_seconds:
            raise serializers.ValidationError(
                f"{self.model.id} makes videos of at most "
                f"{self.model.max_duration_seconds} seconds."
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(self.initial_data, dict):
            raise serializers.ValidationError("The body must be a JSON object.")
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown[:10]})
        return attrs


def model_data(model: VideoModel) -> dict[str, Any]:
    return {
        "id": model.id,
        "object": "model",
        "name": model.name,
        "description": model.description,
        "price_credits": model.price_credits,
        "max_duration_seconds": model.max_duration_seconds,
    }


def generation_data(generation: Generation) -> dict[str, Any]:
    generation = sandbox.seen_now(generation)  # a slow sandbox generation's state of the moment
    return {
        "id": str(generation.id),
        "object": "generation",
        "model": generation.model_id,
        "environment": generation.environment,
        "status": generation.status,
        "prompt": generation.prompt,
        "params": generation.params,
        "cost": generation.cost,
        "result": generation.result,
        "error": generation.error or None,
        "created_at": generation.created_at.isoformat(),
        "completed_at": generation.completed_at.isoformat() if generation.completed_at else None,
    }


def key_data(key: ApiKey, now: datetime) -> dict[str, Any]:
    """GET /v1/key: what the calling key is and may do, from the row authentication read."""
    return {
        "object": "api_key",
        "prefix": key.display_prefix,
        "name": key.name,
        "environment": key.environment,
        "scopes": key.scope_list,
        "created_at": key.created_at.isoformat(),
        "expires_at": key.expires_at.isoformat() if key.expires_at else None,
        "last_used_at": key.last_used_at.isoformat() if key.last_used_at else None,
        "paused": key.paused_at is not None,
        "allowed_models": key.allowed_models,
        "allowed_ips": key.allowed_ips,
        "budget": budgets.describe(key, now),
    }
