"""What a key row says about the key's life: when it expires (flagged within
EXPIRING_SOON), whether a public report revoked it, and a rolled key's old secret in its
grace. Read from the row and the status rules (ApiKey.status_at, apikeys.rolling), never
re-derived; ``{% key_lifecycle key as life %}`` in a template."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

from apikeys import rolling
from apikeys.models import ApiKey, ApiKeyEvent, KeyStatus

register = template.Library()

EXPIRING_SOON: Final = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Lifecycle:
    status: KeyStatus
    can_roll: bool
    # For a key that will expire: "3 days", and whether that is within EXPIRING_SOON.
    expires_in: str | None
    is_expiring_soon: bool
    # Revoked because someone sent it to POST /v1/keys/revoke after finding it in public.
    is_exposed: bool
    # A rolled key whose old secret still works: until when, and its last use ("3
    # minutes ago", or None for never).
    is_in_grace: bool
    grace_ends_at: datetime | None
    old_secret_last_used: str | None


@register.simple_tag
def key_lifecycle(key: ApiKey) -> Lifecycle:
    now = timezone.now()
    status = key.status_at(now)
    is_live = status in (KeyStatus.ACTIVE, KeyStatus.PAUSED)
    expires_at = key.expires_at if is_live else None
    in_grace = is_live and rolling.previous_works(key, now)
    last_used = key.previous_last_used_at if in_grace else None
    return Lifecycle(
        status=status,
        can_roll=is_live,
        expires_in=_words(timeuntil(expires_at, now, depth=1)) if expires_at else None,
        is_expiring_soon=expires_at is not None and expires_at - now <= EXPIRING_SOON,
        is_exposed=status == KeyStatus.REVOKED and _revoked_by_report(key),
        is_in_grace=in_grace,
        grace_ends_at=key.previous_expires_at if in_grace else None,
        old_secret_last_used=_ago(last_used, now) if last_used else None,
    )


def _revoked_by_report(key: ApiKey) -> bool:
    # The key list prefetches the revocation event (apikeys.views); a lone key asks.
    events = getattr(key, "revocations", None)
    if events is None:
        events = list(key.events.filter(kind=ApiKeyEvent.Kind.REVOKED)[:1])
    return bool(events) and events[0].actor_kind == ApiKeyEvent.ActorKind.REPORT


def _ago(moment: datetime, now: datetime) -> str:
    if now - moment < timedelta(minutes=1):
        return "less than a minute ago"  # rather than timesince's "0 minutes ago"
    return _words(timesince(moment, now, depth=1)) + " ago"


def _words(text: str) -> str:
    # timesince joins number and unit with a no-break space; plain words read the same.
    return text.replace("\xa0", " ")
