"""Refunds that staff give ("refund me" tickets), generation by generation.

Each refund goes through the ledger's own ``refund``, so a generation is refunded at most
once (its refund entry is linked to it and unique) and the balance always equals the
ledger. A queued generation is cancelled in the same transaction, so it is never rendered
after its credits came back. Only live generations cost credits; test ones are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations.models import Generation
from clipia_console.lib import clock
from clipia_console.lib.retry import retrying

CANCELLED_BY_STAFF = "Cancelled by Clipia support before it ran; its credits were refunded."


@dataclass
class RefundPlan:
    """What refunding some generations would do: shown on the confirmation page."""

    to_refund: list[Generation] = field(default_factory=list)
    already_refunded: list[Generation] = field(default_factory=list)
    not_charged: list[Generation] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(generation.cost for generation in self.to_refund)

    @property
    def to_cancel(self) -> list[Generation]:
        return [g for g in self.to_refund if g.status == Generation.Status.QUEUED]


@dataclass
class RefundOutcome:
    refunded: list[Generation] = field(default_factory=list)
    cancelled: list[Generation] = field(default_factory=list)
    already_refunded: list[Generation] = field(default_factory=list)
    not_charged: list[Generation] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(generation.cost for generation in self.refunded)


def plan_refund(generations: Iterable[Generation]) -> RefundPlan:
    generations = list(generations)
    refunded_ids = set(
        LedgerEntry.objects.filter(
            generation__in=[g.pk for g in generations], kind=LedgerEntry.Kind.REFUND
        ).values_list("generation_id", flat=True)
    )
    plan = RefundPlan()
    for generation in generations:
        if not _was_charged(generation):
            plan.not_charged.append(generation)
        elif generation.pk in refunded_ids:
            plan.already_refunded.append(generation)
        else:
            plan.to_refund.append(generation)
    return plan


def refund_generations(generations: Iterable[Generation]) -> RefundOutcome:
    """Refund each live, charged generation once, cancelling those still queued.
    Safe to repeat and to race: ``credits.refund`` refunds a generation at most once."""
    outcome = RefundOutcome()
    for generation in generations:
        if not _was_charged(generation):
            outcome.not_charged.append(generation)
            continue
        with transaction.atomic():
            cancelled = Generation.objects.filter(
                pk=generation.pk, status=Generation.Status.QUEUED
            ).update(
                status=Generation.Status.FAILED,
                error=CANCELLED_BY_STAFF,
                completed_at=clock.now(),
            )
            if credits.refund(generation):
                outcome.refunded.append(generation)
                if cancelled:
                    outcome.cancelled.append(generation)
            else:
                outcome.already_refunded.append(generation)
    return outcome


def _was_charged(generation: Generation) -> bool:
    return generation.environment == ApiKey.Environment.LIVE and generation.cost > 0


def unrefunded_failures(*, limit: int) -> list[Generation]:
    """Failed live generations that cost credits and have no refund in the ledger (a
    refund that never committed: the process died between the failure and its refund, in
    data from before they shared a transaction), oldest first."""
    refunded = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).values("generation_id")
    return list(
        Generation.objects.filter(
            status=Generation.Status.FAILED,
            environment=ApiKey.Environment.LIVE,
            cost__gt=0,
        )
        .exclude(pk__in=refunded)
        .order_by("created_at")[:limit]
    )


def refund_failures(*, limit: int) -> int:
    """Refund every failed, unrefunded generation found (up to ``limit``), each once: safe
    to run from cron and to overlap with itself. How many this call refunded."""
    refunded = 0
    for generation in unrefunded_failures(limit=limit):
        refunded += retrying(partial(credits.refund, generation))
    return refunded
