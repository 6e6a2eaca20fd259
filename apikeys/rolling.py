"""Rolling a key without downtime: a new secret for the same key, the old one kept for a
grace period.

A rolled key keeps its row, so its identity (lookup id, name, note, scopes, environment,
budget, usage, audit trail) carries on; only the secret changes. The secret it had goes
to the ``previous_*`` fields and keeps working until the grace chosen ends (never past the
key's own expiry), or sooner: once the new secret is in use and the old one has been
silent for QUIET_AFTER, the old one retires by itself. Both rules are read from the row
on each request (apikeys.verification), so retiring needs no job; ``retire_finished``
(run by ``manage.py sendkeynotices``) only clears the fields and writes the audit event.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final

from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from apikeys import hashing, keys
from apikeys.audit import Actor, record
from apikeys.exceptions import CannotRoll
from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.lib import clock

logger = logging.getLogger(__name__)

# The graces a customer may choose, by name (console, admin, rollapikey --grace-minutes).
GRACE_PERIODS: Final = {
    "now": timedelta(0),
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
}
GRACE_LABELS: Final = {
    "now": "End it now",
    "1h": "1 hour",
    "24h": "24 hours",
    "7d": "7 days",
}
MAX_GRACE: Final = GRACE_PERIODS["7d"]
QUIET_AFTER: Final = timedelta(minutes=15)

GRACE_ENDED: Final = "grace period ended"
WENT_QUIET: Final = "went quiet after the new secret was in use"
ENDED_BY_OWNER: Final = "grace ended early"
REPLACED: Final = "replaced by a newer roll"
EXPOSED: Final = "reported as exposed"


def previous_retired_reason(api_key: ApiKey, now: datetime) -> str | None:
    """Why ``api_key``'s previous secret no longer works, or None while it does (or when
    there is none: see ``has_previous``)."""
    if api_key.previous_expires_at is None or now >= api_key.previous_expires_at:
        return GRACE_ENDED
    rolled_at = api_key.rolled_at or now
    new_in_use = api_key.last_used_at is not None and api_key.last_used_at >= rolled_at
    old_last_heard = max(api_key.previous_last_used_at or rolled_at, rolled_at)
    if new_in_use and now - old_last_heard >= QUIET_AFTER:
        return WENT_QUIET
    return None


def has_previous(api_key: ApiKey) -> bool:
    """Whether a roll left an old secret on the key (working or not yet cleared)."""
    return api_key.previous_expires_at is not None


def previous_works(api_key: ApiKey, now: datetime) -> bool:
    return has_previous(api_key) and previous_retired_reason(api_key, now) is None


@sensitive_variables("raw_key")
def roll_key(api_key: ApiKey, *, grace: timedelta, actor: Actor) -> tuple[ApiKey, str]:
    """Give ``api_key`` a new secret, shown once: returns the row and the full new key.
    The old secret keeps working for ``grace`` (0 to 7 days, never past the key's expiry).
    A secret still in its grace from an earlier roll retires now."""
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise ValueError("the grace period is between 0 and 7 days")
    raw_key = keys.generate_key(api_key.environment, api_key.lookup_id)
    hashed, verifier = hashing.hash_key(raw_key), hashing.make_verifier(raw_key)
    now = clock.now()
    with transaction.atomic():
        current = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if not current.can_roll(now):
            raise CannotRoll("A revoked or expired key cannot be rolled. Create a new key.")
        if previous_works(current, now):
            record(current, ApiKeyEvent.Kind.SECRET_RETIRED, actor, reason=REPLACED)
        ends = now + grace
        if current.expires_at is not None:
            ends = min(ends, current.expires_at)
        keeps_old = ends > now
        fields = {
            "hashed_key": hashed,
            "verifier": verifier,
            "rolled_at": now,
            "previous_hashed_key": current.hashed_key if keeps_old else "",
            "previous_verifier": current.verifier if keeps_old else "",
            "previous_expires_at": ends if keeps_old else None,
            "previous_last_used_at": None,
        }
        ApiKey.objects.filter(pk=current.pk).update(**fields)
        record(current, ApiKeyEvent.Kind.ROLLED, actor)
        if not keeps_old:
            record(current, ApiKeyEvent.Kind.SECRET_RETIRED, actor, reason=ENDED_BY_OWNER)
    for name, value in fields.items():
        setattr(api_key, name, value)
    logger.info("api key rolled", extra={"key_prefix": api_key.display_prefix})
    return api_key, raw_key


def end_grace(api_key: ApiKey, *, actor: Actor, reason: str = ENDED_BY_OWNER) -> bool:
    """Retire the previous secret now. True if there was one to retire."""
    with transaction.atomic():
        retired = ApiKey.objects.filter(pk=api_key.pk, previous_expires_at__isnull=False).update(
            **_CLEARED
        )
        if retired:
            record(api_key, ApiKeyEvent.Kind.SECRET_RETIRED, actor, reason=reason)
    for name, value in _CLEARED.items():
        setattr(api_key, name, value)
    return bool(retired)


def retire_finished(now: datetime | None = None) -> int:
    """Clear previous secrets whose grace is over (ended or gone quiet) and audit why.
    Safe to run concurrently: each retirement is conditional on the row as it was read."""
    now = now or clock.now()
    retired = 0
    for api_key in ApiKey.objects.filter(previous_expires_at__isnull=False):
        reason = previous_retired_reason(api_key, now)
        if reason is None:
            continue
        with transaction.atomic():
            if ApiKey.objects.filter(
                pk=api_key.pk, previous_expires_at=api_key.previous_expires_at
            ).update(**_CLEARED):
                record(api_key, ApiKeyEvent.Kind.SECRET_RETIRED, Actor.automated(), reason=reason)
                retired += 1
    return retired


_CLEARED: Final = {
    "previous_hashed_key": "",
    "previous_verifier": "",
    "previous_expires_at": None,
    "previous_last_used_at": None,
}
