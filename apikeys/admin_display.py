"""How the key admin words a key's expiry, exposure and rolled secret, for the list and
the key's page. Read from the row only; the rules themselves live in apikeys.models
(status) and apikeys.rolling (the old secret's grace)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

from apikeys import rolling
from apikeys.models import ApiKey, ApiKeyEvent, KeyStatus

EXPOSED: Final = "Exposed — revoked after a public report"
# Keys expiring this soon are flagged in the list, as the console flags them.
EXPIRES_SOON: Final = timedelta(days=7)


def with_exposure(queryset: QuerySet[ApiKey]) -> QuerySet[ApiKey]:
    """``queryset`` with ``revoked_after_report`` on each key, in the same query: whether
    the key was revoked through POST /v1/keys/revoke (apikeys.exposure)."""
    reports = ApiKeyEvent.objects.filter(
        api_key=OuterRef("pk"),
        kind=ApiKeyEvent.Kind.REVOKED,
        actor_kind=ApiKeyEvent.ActorKind.REPORT,
    )
    return queryset.annotate(revoked_after_report=Exists(reports))


def status_text(api_key: ApiKey) -> str:
    if api_key.status == KeyStatus.REVOKED and getattr(api_key, "revoked_after_report", False):
        return EXPOSED
    return str(api_key.status.label)


def expiry_phrase(api_key: ApiKey, now: datetime) -> str:
    """ "never expires", "expires in 3 days" or "expired 2 days ago"."""
    if api_key.expires_at is None:
        return "never expires"
    if api_key.expires_at <= now:
        return f"expired {timesince(api_key.expires_at, now, depth=1)} ago"
    return f"expires in {timeuntil(api_key.expires_at, now, depth=1)}"


def expires_soon(api_key: ApiKey, now: datetime) -> bool:
    return api_key.expires_at is not None and now < api_key.expires_at <= now + EXPIRES_SOON


def secret_text(api_key: ApiKey, now: datetime) -> str:
    """When the key was rolled and whether its old secret still works, and until when."""
    if api_key.rolled_at is None:
        return "Never rolled: the key has the secret it was created with."
    rolled = f"Rolled {short_time(api_key.rolled_at)} UTC."
    if not rolling.has_previous(api_key):
        return f"{rolled} The old secret no longer works."
    reason = rolling.previous_retired_reason(api_key, now)
    if reason is not None:
        return f"{rolled} The old secret no longer works ({reason})."
    assert api_key.previous_expires_at is not None  # has_previous
    until = api_key.previous_expires_at
    used = api_key.previous_last_used_at
    last_used = (
        f"last used {timesince(used, now, depth=1)} ago" if used else "not used since the roll"
    )
    return (
        f"{rolled} The old secret works until {short_time(until)} UTC "
        f"(in {timeuntil(until, now, depth=1)}), {last_used}."
    )


def short_time(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
