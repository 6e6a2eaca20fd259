"""Creating generations (charging for live ones) and finishing them."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from apikeys.models import ApiKey
from clipia_console.api import credits, sandbox
from clipia_console.api.dispatch import get_dispatcher
from clipia_console.api.models import Generation, VideoModel

SANDBOX_RESULT_URL = "https://cdn.clipia.ai/sandbox/{model}/sample.mp4"


def create(
    *, api_key: ApiKey, model: VideoModel, prompt: str, params: dict[str, Any]
) -> Generation:
    """A new generation for the key's owner in the key's environment.

    Test keys get a completed generation with a mock result at once, free. Live keys are
    charged the model's price atomically with the row's creation (InsufficientCredits
    leaves nothing behind), and the generation is handed to the dispatcher after commit.
    """
    now = timezone.now()
    if api_key.environment == ApiKey.Environment.TEST:
        generation = Generation(
            owner_id=api_key.owner_id,
            api_key=api_key,
            environment=api_key.environment,
            model=model,
            prompt=prompt,
            params=params,
            status=Generation.Status.SUCCEEDED,
            cost=0,
            result=_sandbox_result(model, params),
            created_at=now,
            completed_at=now,
        )
        return sandbox.create(generation)  # plays magic prompts (clipia-sandbox:…), saves
    with transaction.atomic():
        generation = Generation.objects.create(
            owner_id=api_key.owner_id,
            api_key=api_key,
            environment=api_key.environment,
            model=model,
            prompt=prompt,
            params=params,
            status=Generation.Status.QUEUED,
            cost=model.price_credits,
            created_at=now,
        )
        credits.charge(generation)
        dispatcher = get_dispatcher()
        transaction.on_commit(lambda: dispatcher(generation.pk))
    return generation


def complete(generation_id: uuid.UUID, result: dict[str, Any]) -> bool:
    """Mark a queued or running generation succeeded. False if it had already finished."""
    return bool(
        Generation.objects.filter(
            pk=generation_id, status__in=(Generation.Status.QUEUED, Generation.Status.RUNNING)
        ).update(status=Generation.Status.SUCCEEDED, result=result, completed_at=timezone.now())
    )


def fail(generation_id: uuid.UUID, error: str) -> bool:
    """Mark a queued or running generation failed and refund its cost, exactly once."""
    with transaction.atomic():
        finished = Generation.objects.filter(
            pk=generation_id, status__in=(Generation.Status.QUEUED, Generation.Status.RUNNING)
        ).update(status=Generation.Status.FAILED, error=error[:500], completed_at=timezone.now())
        if finished:
            credits.refund(Generation.objects.get(pk=generation_id))
    return bool(finished)


def _sandbox_result(model: VideoModel, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "video_url": SANDBOX_RESULT_URL.format(model=model.pk),
        "duration_seconds": params.get("duration_seconds", model.max_duration_seconds),
        "aspect_ratio": params.get("aspect_ratio", "16:9"),
        "mock": True,
    }
