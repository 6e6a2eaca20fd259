"""Creating generations (charging for live ones) and finishing them."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction

from apikeys.models import ApiKey
from clipia_console.billing import credits, spending, usage
from clipia_console.generations import sandbox
from clipia_console.generations.dispatch import Dispatcher, get_dispatcher
from clipia_console.generations.models import Generation, VideoModel
from clipia_console.lib import clock
from clipia_console.notifications import budget_notices as notices

logger = logging.getLogger(__name__)

SANDBOX_RESULT_URL = "https://cdn.clipia.ai/sandbox/{model}/sample.mp4"


def create(
    *, api_key: ApiKey, model: VideoModel, prompt: str, params: dict[str, Any]
) -> Generation:
    """A new generation for the key's owner in the key's environment, in one transaction
    that first claims the cost from the key (``spending.claim``: still usable, budget
    allows; raises KeyCannotSpend or KeyPaused), then creates the row, charges the balance
    (live keys; InsufficientCredits) and adds to the usage totals. A refusal leaves nothing behind.

    Test keys get a completed generation with a mock result at once, free, but their
    budget counts what it would cost live. Live generations go to the dispatcher after
    commit.
    """
    now = clock.now()
    is_live = api_key.environment == ApiKey.Environment.LIVE
    # Test keys' magic prompts (clipia_console.api.sandbox); live keys' prompts are text.
    magic = None if is_live else sandbox.magic_prompt(prompt)
    sandbox.refuse_before_charging(magic, api_key)
    with transaction.atomic():
        spent = spending.claim(api_key, model.price_credits, now)
        generation = Generation(
            owner_id=api_key.owner_id,
            api_key=api_key,
            environment=api_key.environment,
            model=model,
            prompt=prompt,
            params=params,
            status=Generation.Status.QUEUED if is_live else Generation.Status.SUCCEEDED,
            cost=model.price_credits if is_live else 0,
            result=None if is_live else _sandbox_result(model, params),
            created_at=now,
            completed_at=None if is_live else now,
            budget_window_start=spent.window_start,
        )
        sandbox.shape(generation, magic)
        generation.save(force_insert=True)
        if is_live:
            credits.charge(generation)
        usage.record(generation, generations=1, credits=model.price_credits)
        if generation.status == Generation.Status.FAILED:
            # A sandbox failure gives its would-be cost back, as a live refund would.
            spending.give_back_at_once(api_key, spent, model.price_credits)
            usage.record(generation, generations=0, credits=-model.price_credits)
        else:
            notices.after_spending(api_key, spent)
        if is_live:
            dispatcher = get_dispatcher()
            transaction.on_commit(lambda: dispatch(generation.pk, dispatcher))
    return generation


def dispatch(generation_id: uuid.UUID, dispatcher: Dispatcher | None = None) -> bool:
    """Hand a committed generation to the dispatcher and note when. A dispatcher that
    raises must not turn a charged, created generation into an error: log it and leave
    the generation for ``manage.py redispatchgenerations``. True if dispatched."""
    try:
        (dispatcher or get_dispatcher())(generation_id)
    except Exception:
        logger.exception(
            "dispatching generation %s failed; redispatchgenerations will retry it",
            generation_id,
        )
        return False
    Generation.objects.filter(pk=generation_id).update(dispatched_at=clock.now())
    return True


def undispatched(*, older_than: timedelta, limit: int) -> list[uuid.UUID]:
    """Queued live generations created before now - ``older_than`` that no dispatcher
    has taken, oldest first."""
    return list(
        Generation.objects.filter(
            environment=ApiKey.Environment.LIVE,
            status=Generation.Status.QUEUED,
            dispatched_at__isnull=True,
            created_at__lte=clock.now() - older_than,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def complete(generation_id: uuid.UUID, result: dict[str, Any]) -> bool:
    """Mark a queued or running generation succeeded. False if it had already finished."""
    return bool(
        Generation.objects.filter(
            pk=generation_id, status__in=(Generation.Status.QUEUED, Generation.Status.RUNNING)
        ).update(status=Generation.Status.SUCCEEDED, result=result, completed_at=clock.now())
    )


def fail(generation_id: uuid.UUID, error: str) -> bool:
    """Mark a queued or running generation failed and refund its cost, exactly once."""
    with transaction.atomic():
        finished = Generation.objects.filter(
            pk=generation_id, status__in=(Generation.Status.QUEUED, Generation.Status.RUNNING)
        ).update(status=Generation.Status.FAILED, error=error[:500], completed_at=clock.now())
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
