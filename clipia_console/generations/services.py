"""Creating generations (charging for live ones) and finishing them."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from django.db import transaction

from apikeys.models import ApiKey
from clipia_console.billing import credits, spending, usage
from clipia_console.generations import sandbox
from clipia_console.generations.dispatch import dispatch, get_dispatcher
from clipia_console.generations.models import Generation, VideoModel
from clipia_console.lib import clock
from clipia_console.lib.retry import retrying

logger = logging.getLogger(__name__)

SANDBOX_RESULT_URL = "https://cdn.clipia.ai/sandbox/{model}/sample.mp4"


def create(
    *, api_key: ApiKey, model: VideoModel, prompt: str, params: dict[str, Any]
) -> Generation:
    """A new generation for the key's owner in the key's environment, in one transaction
    that first claims the cost from the key (``spending.claim``: still usable, budget
    allows; raises KeyCannotSpend or KeyPaused), then creates the row, charges the balance
    (live keys; InsufficientCredits), adds to the usage totals and keeps the claim
    (``spending.keep``, which tells the packages above through ``billing.signals.spent``).
    A refusal leaves nothing behind.

    Test keys get a completed generation with a mock result at once, free, but their
    budget counts what it would cost live. Live generations go to the dispatcher after
    commit.
    """
    now = clock.now()
    is_live = api_key.environment == ApiKey.Environment.LIVE
    # Test keys' magic prompts (clipia_console.generations.sandbox); live keys' prompts are text.
    magic = None if is_live else sandbox.magic_prompt(prompt)
    sandbox.refuse_before_charging(magic, api_key)
    with transaction.atomic():
        spent = spending.claim(api_key, model.price_credits, now, model_id=model.pk)
        generation = _new_generation(api_key, model, prompt, params, now, spent)
        sandbox.shape(generation, magic)
        generation.save(force_insert=True)
        _charge(api_key, model, generation, spent)
    return generation


def complete(generation_id: uuid.UUID, result: dict[str, Any]) -> bool:
    """Mark a queued or running generation succeeded. False if it had already finished."""
    return bool(
        Generation.objects.filter(
            pk=generation_id, status__in=(Generation.Status.QUEUED, Generation.Status.RUNNING)
        ).update(status=Generation.Status.SUCCEEDED, result=result, completed_at=clock.now())
    )


def fail(generation_id: uuid.UUID, error: str) -> bool:
    """Mark a queued or running generation failed and refund its cost, exactly once; the
    transaction runs again if the database gives it up (a deadlock), so a failed render is
    never left unrefunded for that (``refundfailedgenerations`` catches any other miss)."""

    def mark_and_refund() -> bool:
        with transaction.atomic():
            finished = Generation.objects.filter(
                pk=generation_id, status__in=(Generation.Status.QUEUED, Generation.Status.RUNNING)
            ).update(status=Generation.Status.FAILED, error=error[:500], completed_at=clock.now())
            if finished:
                credits.refund(Generation.objects.get(pk=generation_id))
        return bool(finished)

    return retrying(mark_and_refund)


def _new_generation(
    api_key: ApiKey,
    model: VideoModel,
    prompt: str,
    params: dict[str, Any],
    now: datetime,
    spent: spending.Spent,
) -> Generation:
    """The unsaved row: queued and charged for live keys, finished and free for test ones."""
    is_live = api_key.environment == ApiKey.Environment.LIVE
    return Generation(
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


def _charge(
    api_key: ApiKey, model: VideoModel, generation: Generation, spent: spending.Spent
) -> None:
    """Inside create's transaction, after the row is saved: charge the balance (live),
    count the usage, keep the key's claim (or give it back for a sandbox failure), and
    dispatch a live generation after commit."""
    is_live = api_key.environment == ApiKey.Environment.LIVE
    if is_live:
        credits.charge(generation)
    usage.record(generation, generations=1, credits=model.price_credits)
    if generation.status == Generation.Status.FAILED:
        # A sandbox failure gives its would-be cost back, as a live refund would.
        spending.give_back_at_once(api_key, spent, model.price_credits)
        usage.record(generation, generations=0, credits=-model.price_credits)
    else:
        spending.keep(api_key, spent)
    if is_live:
        dispatcher = get_dispatcher()
        transaction.on_commit(lambda: dispatch(generation.pk, dispatcher))


def _sandbox_result(model: VideoModel, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "video_url": SANDBOX_RESULT_URL.format(model=model.pk),
        "duration_seconds": params.get("duration_seconds", model.max_duration_seconds),
        "aspect_ratio": params.get("aspect_ratio", "16:9"),
        "mock": True,
    }
