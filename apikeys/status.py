"""What a key is now, as a rule on one key (``ApiKey.status_at``) and the same rule as SQL
(``status_condition``, ``ApiKey.objects.with_status``)."""

from __future__ import annotations

import functools
import operator
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from clipia_console.accounts import access
from clipia_console.lib import clock

if TYPE_CHECKING:
    # Only for the queryset's type: apikeys.models imports this module.
    from apikeys.models import ApiKey  # noqa: F401


class KeyStatus(models.TextChoices):
    """What a key is now. Decided in one place, ``ApiKey.status_at`` (and, for querysets,
    ``ApiKeyQuerySet.with_status``); authentication, the console, the admin and the
    commands all read it from there. Revoked wins over expired, expired over paused: a key
    is in exactly one state."""

    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


def status_condition(*statuses: KeyStatus, now: datetime | None = None) -> Q:
    """Keys whose ``ApiKey.status_at(now)`` is one of ``statuses``: the same rule, as SQL."""
    now = now or clock.now()
    not_expired = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    conditions = {
        KeyStatus.REVOKED: Q(revoked_at__isnull=False),
        KeyStatus.EXPIRED: Q(revoked_at__isnull=True, expires_at__lte=now),
        KeyStatus.PAUSED: Q(not_expired, revoked_at__isnull=True, paused_at__isnull=False),
        KeyStatus.ACTIVE: Q(not_expired, revoked_at__isnull=True, paused_at__isnull=True),
    }
    chosen = [conditions[status] for status in statuses]
    # No status, no key; one status, its condition alone (the charge's UPDATE uses ACTIVE).
    return functools.reduce(operator.or_, chosen) if chosen else Q(pk__in=[])


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    """``ApiKey.objects``."""

    def usable(self, now: datetime | None = None) -> ApiKeyQuerySet:
        """Keys that can still authenticate (active or paused; ``ApiKey.is_usable``): what
        counts toward the per-account cap. Revoked and expired keys are final."""
        return self.with_status(KeyStatus.ACTIVE, KeyStatus.PAUSED, now=now)

    def visible_to(self, person: access.Person) -> ApiKeyQuerySet:
        """The keys ``person`` may see and act on (clipia_console.accounts.access)."""
        return self.filter(owner_id__in=access.owner_ids(person))

    def with_status(self, *statuses: KeyStatus, now: datetime | None = None) -> ApiKeyQuerySet:
        return self.filter(status_condition(*statuses, now=now))
