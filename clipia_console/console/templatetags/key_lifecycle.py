"""What a key's status cell says about its life: whether it will expire (flagged within
EXPIRING_SOON), whether a public report revoked it, whether a rolled key's old secret is
in its grace, and whether it can still be rolled. Read from the status rules
(ApiKey.status_at, apikeys.rolling), never re-derived: ``{% key_lifecycle key as life %}``.
Words for the moments come from the console's own filters (``when``, ``ago``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from django import template

from apikeys import rolling
from apikeys.models import ApiKey, ApiKeyEvent
from apikeys.status import KeyStatus
from clipia_console.lib import clock

register = template.Library()

EXPIRING_SOON: Final = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Lifecycle:
    status: KeyStatus
    can_roll: bool
    will_expire: bool
    is_expiring_soon: bool
    # Revoked because someone sent it to POST /v1/keys/revoke after finding it in public.
    is_exposed: bool
    # A rolled key whose old secret still works.
    is_in_grace: bool
    # When a public report retired the old secret of this key's latest roll, if one did.
    old_secret_exposed_at: datetime | None
    # When and why the old secret stopped working, for a day after (rolling.retired_note).
    old_secret_retired: tuple[datetime, str] | None


@register.simple_tag
def key_lifecycle(key: ApiKey) -> Lifecycle:
    now = clock.now()
    status = key.status_at(now)
    is_usable = key.is_usable(now)
    expires_at = key.expires_at if is_usable else None
    return Lifecycle(
        status=status,
        can_roll=key.can_roll(now),
        will_expire=expires_at is not None,
        is_expiring_soon=expires_at is not None and expires_at - now <= EXPIRING_SOON,
        is_exposed=status == KeyStatus.REVOKED and _revoked_by_report(key),
        is_in_grace=is_usable and rolling.previous_works(key, now),
        old_secret_exposed_at=_old_secret_exposed_at(key) if is_usable else None,
        old_secret_retired=rolling.retired_note(key, now) if is_usable else None,
    )


@register.filter
def grace_span(value: timedelta) -> str:
    """An early end's silence, as the roll form offered it: "1 hour", "24 hours"."""
    hours = int(value.total_seconds() // 3600)
    return "1 hour" if hours == 1 else f"{hours} hours"


def _old_secret_exposed_at(key: ApiKey) -> datetime | None:
    if key.rolled_at is None:
        return None
    # The key list prefetches these events (console.pages.keys_of); a lone key asks.
    events: list[ApiKeyEvent] | None = getattr(key, "exposures", None)
    if events is None:
        events = list(
            key.events.filter(
                kind=ApiKeyEvent.Kind.SECRET_RETIRED, actor_kind=ApiKeyEvent.ActorKind.REPORT
            )[:1]
        )
    # Only for the latest roll: rolling again starts a new story.
    if events and events[0].created_at >= key.rolled_at:
        return events[0].created_at
    return None


def _revoked_by_report(key: ApiKey) -> bool:
    # The key list prefetches the revocation event (console.pages.keys_of); a lone key asks.
    events = getattr(key, "revocations", None)
    if events is None:
        events = list(key.events.filter(kind=ApiKeyEvent.Kind.REVOKED)[:1])
    return bool(events) and events[0].actor_kind == ApiKeyEvent.ActorKind.REPORT
