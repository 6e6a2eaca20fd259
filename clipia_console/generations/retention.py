"""How long /v1 keeps what it no longer needs.

Sandbox (test-key) generations are free mock results nobody is billed for: they are
deleted once older than CLIPIA_SANDBOX_RETENTION_DAYS. Live generations are kept for
good: the ledger's charges and refunds reference them (PROTECT), and they are what a
customer paid for. (Idempotency records and their stored answers expire on their own
clock: idempotency.purge_expired.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from apikeys.models import ApiKey
from clipia_console.generations.models import Generation
from clipia_console.lib import clock

# Deleted a batch at a time, so a first run over a large table holds no long lock.
_BATCH = 1000


def sandbox_cutoff(now: datetime | None = None) -> datetime:
    """Sandbox generations created at or before this moment are past retention."""
    days = int(settings.CLIPIA_SANDBOX_RETENTION_DAYS)
    return (now or clock.now()) - timedelta(days=days)


def purge_sandbox_generations(now: datetime | None = None) -> int:
    """Delete test-key generations past retention; returns how many. Never a live one,
    and never one a ledger entry references, whatever its environment."""
    expired = Generation.objects.filter(
        environment=ApiKey.Environment.TEST,
        created_at__lte=sandbox_cutoff(now),
        ledger__isnull=True,
    )
    deleted = 0
    while batch := list(expired.values_list("pk", flat=True)[:_BATCH]):
        count, _ = Generation.objects.filter(pk__in=batch).delete()
        deleted += count
    return deleted
