"""Dispatchers hand a new live generation to whatever renders it, once.

``CLIPIA_GENERATION_DISPATCHER`` names one by dotted path. It is called with the
generation's id after the transaction that created and charged it commits. The default,
``leave_queued``, does nothing: the generation stays ``queued`` for an external worker to
claim, which then reports back through ``clipia_console.generations.services.complete`` or
``fail`` (the latter refunds the charge, once).

Once a generation's charge has committed, nothing here may turn it into an error: the
customer was charged and gets 201 with the generation. A generation is claimed (its
``dispatched_at`` set, only if unset) before it is handed over, so two overlapping
``redispatchgenerations`` runs never hand one over twice; if the claim cannot be written
(the database went away) or the dispatcher raises, it is left unclaimed for the next run.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils.module_loading import import_string

from apikeys.models import ApiKey
from clipia_console.generations.models import Generation
from clipia_console.lib import clock

logger = logging.getLogger(__name__)

Dispatcher = Callable[[uuid.UUID], None]


def leave_queued(generation_id: uuid.UUID) -> None:
    """The default: an external worker picks queued generations up."""


def get_dispatcher() -> Dispatcher:
    dispatcher: Dispatcher = import_string(settings.CLIPIA_GENERATION_DISPATCHER)
    return dispatcher


class Handover(StrEnum):
    DISPATCHED = "dispatched"
    TAKEN = "taken"  # someone else claimed it first
    FAILED = "failed"  # left for the next redispatchgenerations run


def dispatch(generation_id: uuid.UUID, dispatcher: Dispatcher | None = None) -> Handover:
    """Claim a committed generation and hand it to the dispatcher. Never raises."""
    try:
        # atomic: a failed write inside a caller's transaction stays contained.
        with transaction.atomic():
            claimed = Generation.objects.filter(
                pk=generation_id, dispatched_at__isnull=True
            ).update(dispatched_at=clock.now())
    except DatabaseError:
        logger.exception(
            "could not claim generation %s for dispatch; redispatchgenerations will retry it",
            generation_id,
        )
        return Handover.FAILED
    if not claimed:
        return Handover.TAKEN
    try:
        (dispatcher or get_dispatcher())(generation_id)
    except Exception:
        logger.exception(
            "dispatching generation %s failed; redispatchgenerations will retry it",
            generation_id,
        )
        _unclaim(generation_id)
        return Handover.FAILED
    return Handover.DISPATCHED


def _unclaim(generation_id: uuid.UUID) -> None:
    try:
        with transaction.atomic():
            Generation.objects.filter(pk=generation_id).update(dispatched_at=None)
    except DatabaseError:
        # Claimed but never handed over: only staff can tell it apart now.
        logger.exception("generation %s is claimed but was not dispatched", generation_id)


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
