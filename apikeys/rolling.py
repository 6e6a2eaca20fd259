"""Rolling a key without downtime: a new secret for the same key, the old one kept for a
grace period.

A rolled key keeps its row, so its identity (lookup id, name, note, scopes, environment,
budget, usage, audit trail) carries on; only the secret changes. The secret it had goes
to the ``previous_*`` fields and keeps working until the grace chosen ends (never past the
key's own expiry), and never sooner unless the owner chose, when rolling, to end it early
once the new secret is in use and the old one has been silent for an hour or a day
(``QUIET_CHOICES``): a nightly job using the old secret must not break before the deadline
it was promised. Both rules are read from the row on each request (apikeys.verification),
so retiring needs no job; ``retire_finished`` (run by ``manage.py sendkeynotices``) only
clears the fields and writes the audit event, which tells the owner (a ``key_event``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Final

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
# Opt-in early end: once the new secret is in use and the old one has been silent this
# long. Never shorter than an hour: an hourly batch job must not lose its secret.
QUIET_CHOICES: Final = {"1h": timedelta(hours=1), "24h": timedelta(hours=24)}
QUIET_LABELS: Final = {"1h": "an hour", "24h": "a day"}
MIN_QUIET: Final = QUIET_CHOICES["1h"]
# How long the console still says that (and why) an old secret stopped working.
RETIRED_NOTE_FOR: Final = timedelta(hours=24)

GRACE_ENDED: Final = "grace ended"
WENT_QUIET: Final = "silent after the new secret was in use"
ENDED_BY_OWNER: Final = "grace ended early"
REPLACED: Final = "replaced by a newer roll"
EXPOSED: Final = "reported as exposed"


def previous_retired_reason(api_key: ApiKey, now: datetime) -> str | None:
    """Why ``api_key``'s previous secret no longer works, or None while it does (or when
    there is none: see ``has_previous``)."""
    if api_key.previous_expires_at is None or now >= api_key.previous_expires_at:
        return GRACE_ENDED
    quiet_since = _quiet_since(api_key)
    if quiet_since is not None and now >= quiet_since:
        return WENT_QUIET
    return None


def _quiet_since(api_key: ApiKey) -> datetime | None:
    """When an opted-in early end retires the old secret as things stand: the new secret
    in use and the old one silent for ``previous_quiet_after``; None if it does not."""
    if api_key.previous_quiet_after is None:
        return None
    rolled_at = api_key.rolled_at
    if rolled_at is None or api_key.last_used_at is None or api_key.last_used_at < rolled_at:
        return None
    old_last_heard = max(api_key.previous_last_used_at or rolled_at, rolled_at)
    return old_last_heard + api_key.previous_quiet_after


def retired_at(api_key: ApiKey, reason: str, now: datetime) -> datetime:
    """The moment the previous secret stopped working for ``reason``."""
    if reason == GRACE_ENDED and api_key.previous_expires_at is not None:
        return min(api_key.previous_expires_at, now)
    if reason == WENT_QUIET:
        return min(_quiet_since(api_key) or now, now)
    return now


def has_previous(api_key: ApiKey) -> bool:
    """Whether a roll left an old secret on the key (working or not yet cleared)."""
    return api_key.previous_expires_at is not None


def previous_works(api_key: ApiKey, now: datetime) -> bool:
    return has_previous(api_key) and previous_retired_reason(api_key, now) is None


def retired_note(api_key: ApiKey, now: datetime) -> tuple[datetime, str] | None:
    """When and why the old secret stopped working, for a day after: also before
    ``retire_finished`` has cleared it. None if it works, or stopped longer ago."""
    if has_previous(api_key):
        reason = previous_retired_reason(api_key, now)
        if reason is None:
            return None
        at, why = retired_at(api_key, reason, now), reason
    elif api_key.secret_retired_at is not None:
        at, why = api_key.secret_retired_at, api_key.secret_retired_reason
    else:
        return None
    return (at, why) if now - at < RETIRED_NOTE_FOR else None


@sensitive_variables("raw_key")
def roll_key(
    api_key: ApiKey, *, grace: timedelta, actor: Actor, quiet_after: timedelta | None = None
) -> tuple[ApiKey, str]:
    """Give ``api_key`` a new secret, shown once: returns the row and the full new key.
    The old secret keeps working for ``grace`` (0 to 7 days, never past the key's expiry);
    with ``quiet_after`` (an hour or more), it ends early once the new secret is in use
    and the old one has been silent that long. A secret still in its grace from an earlier
    roll retires now."""
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise ValueError("the grace period is between 0 and 7 days")
    if quiet_after is not None and quiet_after < MIN_QUIET:
        raise ValueError("an early end needs the old secret silent for an hour or more")
    raw_key = keys.generate_key(api_key.environment, api_key.lookup_id)
    hashed, verifier = hashing.hash_key(raw_key), hashing.make_verifier(raw_key)
    now = clock.now()
    with transaction.atomic():
        current = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if not current.can_roll(now):
            raise CannotRoll("A revoked or expired key cannot be rolled. Create a new key.")
        fields = _rolled_fields(current, hashed, verifier, now, grace, quiet_after)
        if previous_works(current, now):
            record(current, ApiKeyEvent.Kind.SECRET_RETIRED, actor, reason=REPLACED)
        ApiKey.objects.filter(pk=current.pk).update(**fields)
        record(current, ApiKeyEvent.Kind.ROLLED, actor)
        if fields["previous_expires_at"] is None:
            record(current, ApiKeyEvent.Kind.SECRET_RETIRED, actor, reason=ENDED_BY_OWNER)
    for name, value in fields.items():
        setattr(api_key, name, value)
    logger.info("api key rolled", extra={"key_prefix": api_key.display_prefix})
    return api_key, raw_key


def _rolled_fields(
    current: ApiKey,
    hashed: str,
    verifier: str,
    now: datetime,
    grace: timedelta,
    quiet_after: timedelta | None,
) -> dict[str, Any]:
    ends = now + grace
    if current.expires_at is not None:
        ends = min(ends, current.expires_at)
    keeps_old = ends > now
    fields: dict[str, Any] = {
        "hashed_key": hashed,
        "verifier": verifier,
        "rolled_at": now,
        "previous_hashed_key": current.hashed_key if keeps_old else "",
        "previous_verifier": current.verifier if keeps_old else "",
        "previous_expires_at": ends if keeps_old else None,
        # The old secret's last use is the key's last use before the roll, not "never".
        "previous_last_used_at": current.last_used_at if keeps_old else None,
        "previous_quiet_after": quiet_after if keeps_old else None,
    }
    if not keeps_old or previous_works(current, now):
        fields |= _retired(now, ENDED_BY_OWNER if not keeps_old else REPLACED)
    return fields


def end_grace(api_key: ApiKey, *, actor: Actor, reason: str = ENDED_BY_OWNER) -> bool:
    """Retire the previous secret now. True if there was one to retire."""
    changes = _CLEARED | _retired(clock.now(), reason)
    with transaction.atomic():
        retired = ApiKey.objects.filter(pk=api_key.pk, previous_expires_at__isnull=False).update(
            **changes
        )
        if retired:
            record(api_key, ApiKeyEvent.Kind.SECRET_RETIRED, actor, reason=reason)
    if retired:
        for name, value in changes.items():
            setattr(api_key, name, value)
    return bool(retired)


def retire_finished(now: datetime | None = None) -> int:
    """Clear previous secrets whose grace is over (ended, or silent after an opted-in early
    end) and audit why. Safe to run concurrently: each retirement is conditional on the
    row as it was read."""
    now = now or clock.now()
    retired = 0
    for api_key in ApiKey.objects.filter(previous_expires_at__isnull=False):
        reason = previous_retired_reason(api_key, now)
        if reason is None:
            continue
        changes = _CLEARED | _retired(retired_at(api_key, reason, now), reason)
        with transaction.atomic():
            if ApiKey.objects.filter(
                pk=api_key.pk, previous_expires_at=api_key.previous_expires_at
            ).update(**changes):
                record(api_key, ApiKeyEvent.Kind.SECRET_RETIRED, Actor.automated(), reason=reason)
                retired += 1
    return retired


def _retired(at: datetime, reason: str) -> dict[str, Any]:
    return {"secret_retired_at": at, "secret_retired_reason": reason}


_CLEARED: Final = {
    "previous_hashed_key": "",
    "previous_verifier": "",
    "previous_expires_at": None,
    "previous_last_used_at": None,
    "previous_quiet_after": None,
}
