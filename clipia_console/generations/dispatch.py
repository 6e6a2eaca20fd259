"""Dispatchers hand a new live generation to whatever renders it.

``CLIPIA_GENERATION_DISPATCHER`` names one by dotted path. It is called with the
generation's id after the transaction that created and charged it commits. The default,
``leave_queued``, does nothing: the generation stays ``queued`` for an external worker to
claim, which then reports back through ``clipia_console.generations.services.complete`` or
``fail`` (the latter refunds the charge, once).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

Dispatcher = Callable[[uuid.UUID], None]


def leave_queued(generation_id: uuid.UUID) -> None:
    """The default: an external worker picks queued generations up."""


def get_dispatcher() -> Dispatcher:
    dispatcher: Dispatcher = import_string(settings.CLIPIA_GENERATION_DISPATCHER)
    return dispatcher
