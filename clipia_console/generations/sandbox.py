"""Magic prompts: with a test key, a prompt that begins with ``clipia-sandbox:<name>``
rehearses what can go wrong, the way Stripe's test card numbers do. Live keys never get
here (``generations.create`` calls us on its test-key branch only), so for them these
prompts are ordinary text.

- ``clipia-sandbox:fail``: the generation ends ``failed`` with a realistic error, and
  ``generations.create`` gives its would-be cost back to the key's budget and the usage
  figures, as a live refund would (a test key's balance is never charged).
- ``clipia-sandbox:slow``: ``queued``, then ``running``, then ``succeeded`` a few seconds
  later. The row is written finished, with ``completed_at`` in the future; reading it
  before then shows the state of the moment (``seen_now``), so no worker is needed.
- ``clipia-sandbox:insufficient-credits``: 402 ``insufficient_credits``, raised as the
  live charge raises it on an empty account (balance 0, whatever the test account holds),
  so the answer (and an Idempotency-Key's memory of it) is the one a live key gets there.
- ``clipia-sandbox:rate-limited``: 429 ``rate_limited`` with ``Retry-After``, the answer
  of the key's real generation limit (``request_limits.TooManyGenerations``).

The docs' Sandbox page lists ``MAGIC_PROMPTS``; keep the two together.
"""

from __future__ import annotations

import copy
from datetime import timedelta

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.generations.models import Generation
from clipia_console.generations.request_limits import TooManyGenerations, limit_for
from clipia_console.lib import clock

PREFIX = "clipia-sandbox:"
FAIL = "fail"
SLOW = "slow"
INSUFFICIENT_CREDITS = "insufficient-credits"
RATE_LIMITED = "rate-limited"

# What each magic prompt does, for the Sandbox page.
MAGIC_PROMPTS = {
    FAIL: "201, then the generation is failed with an error message, as a render that "
    "breaks on our side would be; its would-be cost goes back to the key's budget.",
    SLOW: "201 queued; reading it shows queued for 2 seconds, then running, then "
    "succeeded 6 seconds after creation, with its mock result.",
    INSUFFICIENT_CREDITS: "402 insufficient_credits, exactly as a live key on an empty "
    "account gets it (balance 0). Nothing is created.",
    RATE_LIMITED: "429 rate_limited with a Retry-After header, exactly as past the key's "
    "limit of generation requests per minute. Nothing is created.",
}

FAILURE_MESSAGE = (
    "Rendering failed: the renderer ran out of GPU memory at frame 48 of 120. "
    "The generation's cost was refunded; retry the request."
)
QUEUED_FOR = timedelta(seconds=2)
SUCCEEDS_AFTER = timedelta(seconds=6)
RETRY_AFTER_SECONDS = 30


def magic_prompt(prompt: str) -> str | None:
    """The magic prompt's name if ``prompt`` begins with one, else None."""
    if not prompt.startswith(PREFIX):
        return None
    rest = prompt[len(PREFIX) :]
    return next((name for name in MAGIC_PROMPTS if rest.startswith(name)), None)


def refuse_before_charging(name: str | None, api_key: ApiKey) -> None:
    """The magic prompts that refuse the request, before anything is claimed or saved."""
    if name == INSUFFICIENT_CREDITS:
        raise credits.InsufficientCredits(balance=0)
    if name == RATE_LIMITED:
        raise TooManyGenerations(limit_for(api_key), RETRY_AFTER_SECONDS)


def shape(generation: Generation, name: str | None) -> None:
    """Give the (unsaved, succeeded) test-mode ``generation`` its magic prompt's outcome:
    a completion ahead (slow) or a failure (fail)."""
    if name == SLOW:
        generation.completed_at = generation.created_at + SUCCEEDS_AFTER
    elif name == FAIL:
        generation.status = Generation.Status.FAILED
        generation.result = None
        generation.error = FAILURE_MESSAGE


def seen_now(generation: Generation) -> Generation:
    """``generation`` as a reader sees it now: a sandbox generation whose completion lies
    ahead is still queued or running, without its result. Others are returned as they are."""
    now = clock.now()
    finishes_at = generation.completed_at
    if (
        generation.environment != ApiKey.Environment.TEST
        or finishes_at is None
        or finishes_at <= now
    ):
        return generation
    seen = copy.copy(generation)
    seen.status = (
        Generation.Status.QUEUED
        if now < generation.created_at + QUEUED_FOR
        else Generation.Status.RUNNING
    )
    seen.result = None
    seen.completed_at = None
    return seen
