"""Notices about a key's life: expiry warnings, and a key revoked after a public report.

Expiry warnings are decided by ``send_expiry_warnings`` (run by ``manage.py
sendkeynotices``); the exposure notice by the audit event of the revocation, heard through
``apikeys.signals.key_event`` inside that event's transaction, so apikeys never imports
us. Both are claimed and sent by the one rule in ``notifications.sending``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from django.utils import timezone

from apikeys import rolling
from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.lib import clock
from clipia_console.notifications import sending

# Expiry warnings: how long before a key expires, and the notice's kind.
EXPIRY_WARNINGS: Final = (
    (timedelta(days=7), "expires_in_7_days"),
    (timedelta(days=1), "expires_in_1_day"),
)
EXPOSED: Final = "exposed"
OLD_SECRET_RETIRED: Final = "old_secret_retired"
# The audit events that retire a reported credential: the key itself, or its old secret.
_RETIRED_BY_A_REPORT: Final[dict[str, str]] = {
    ApiKeyEvent.Kind.REVOKED: "the key",
    ApiKeyEvent.Kind.SECRET_RETIRED: "the old secret of the key",
}


def send_expiry_warnings(now: datetime | None = None) -> int:
    """Warn owners of keys expiring within 7 days and within 1 day; each warning once per
    key and expiry date. Returns how many were claimed."""
    now = now or clock.now()
    sent = 0
    for ahead, kind in EXPIRY_WARNINGS:
        expiring = ApiKey.objects.usable(now).filter(expires_at__lte=now + ahead)
        for api_key in expiring.select_related("owner").exclude(notices__kind=kind):
            assert api_key.expires_at is not None
            subject, body = _expiry_message(api_key, api_key.expires_at)
            sent += sending.claim(api_key, kind, api_key.expires_at, subject, body) is not None
    return sent


def on_key_event(sender: Any, *, event: ApiKeyEvent, **kwargs: Any) -> None:
    """``key_event`` receiver: tell the owner when a public report retired a credential,
    and when a rolled key's old secret stopped working for any other reason."""
    if event.kind == ApiKeyEvent.Kind.SECRET_RETIRED and event.reason != rolling.EXPOSED:
        _tell_old_secret_retired(event)
        return
    which = _RETIRED_BY_A_REPORT.get(event.kind)
    if which is None or event.reason != rolling.EXPOSED:
        return
    api_key = event.api_key
    subject = f"Your Clipia API key “{api_key.name}” was exposed and has been revoked"
    body = (
        f"Someone reported {which} “{api_key.name}” ({api_key.display_prefix}…, "
        f"{api_key.environment}) as exposed in public, and it was revoked at once: requests "
        "with it now fail with 401.\n\n"
        "If you still need it, create or roll a key in the console, and store the new "
        "one in a secrets manager, never in code or a public place.\n"
    )
    sending.claim(api_key, EXPOSED, event.created_at, subject, body)


def _tell_old_secret_retired(event: ApiKeyEvent) -> None:
    api_key = event.api_key
    subject = f"The old secret of your Clipia API key “{api_key.name}” stopped working"
    body = (
        f"The old secret of your {api_key.environment} API key “{api_key.name}” "
        f"({api_key.display_prefix}…), kept after you rolled it, stopped working "
        f"({event.reason}). Requests with it now fail with 401; the key's new secret keeps "
        "working.\n\n"
        "If something still used the old secret, give it the new key.\n"
    )
    sending.claim(api_key, OLD_SECRET_RETIRED, event.created_at, subject, body)


def _expiry_message(api_key: ApiKey, expires_at: datetime) -> tuple[str, str]:
    when = expires_at.astimezone(timezone.get_current_timezone())
    subject = f"Your Clipia API key “{api_key.name}” expires {when:%b %-d, %Y at %H:%M} UTC"
    body = (
        f"Your {api_key.environment} API key “{api_key.name}” "
        f"({api_key.display_prefix}…) expires on {when:%b %-d, %Y at %H:%M} UTC. "
        "Requests with it will then fail with 401.\n\n"
        "Create or roll a key in the console before then and update the places "
        "that use this one.\n"
    )
    return subject, body
