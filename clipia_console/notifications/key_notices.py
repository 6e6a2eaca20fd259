"""Emails to a key's owner: expiry warnings, a key revoked after a public report.

Each notice is claimed first (a KeyNotice row, unique per key, kind and occasion), so it is
sent once even when two senders run at the same time; it is sent after the claiming
transaction commits, and a failure to send is logged, never raised into a request. No
email carries a key: only its name and redacted prefix.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from apikeys.models import ApiKey, KeyNotice
from clipia_console.lib import clock

logger = logging.getLogger(__name__)

# Expiry warnings: how long before a key expires, and the notice's kind.
EXPIRY_WARNINGS: Final = (
    (timedelta(days=7), "expires_in_7_days"),
    (timedelta(days=1), "expires_in_1_day"),
)
EXPOSED: Final = "exposed"


def notify_once(api_key: ApiKey, kind: str, about: datetime, subject: str, body: str) -> bool:
    """Claim the notice ``(kind, about)`` for ``api_key`` and send it after commit. False
    if it was already claimed (sent, or being sent by someone else)."""
    try:
        with transaction.atomic():
            KeyNotice.objects.create(api_key=api_key, kind=kind, about=about)
    except IntegrityError:
        return False
    recipient = api_key.owner.email
    if not recipient:
        return True
    transaction.on_commit(lambda: _send(api_key, subject, body, recipient))
    return True


def send_expiry_warnings(now: datetime | None = None) -> int:
    """Warn owners of keys expiring within 7 days and within 1 day; each warning once per
    key and expiry date. Returns how many were claimed."""
    now = now or clock.now()
    sent = 0
    for ahead, kind in EXPIRY_WARNINGS:
        expiring = ApiKey.objects.usable(now).filter(expires_at__lte=now + ahead)
        for api_key in expiring.select_related("owner").exclude(notices__kind=kind):
            assert api_key.expires_at is not None
            when = api_key.expires_at.astimezone(timezone.get_current_timezone())
            subject = f"Your Clipia API key “{api_key.name}” expires {when:%b %-d, %Y at %H:%M} UTC"
            body = (
                f"Your {api_key.environment} API key “{api_key.name}” "
                f"({api_key.display_prefix}…) expires on {when:%b %-d, %Y at %H:%M} UTC. "
                "Requests with it will then fail with 401.\n\n"
                "Create or roll a key in the console before then and update the places "
                "that use this one.\n"
            )
            sent += notify_once(api_key, kind, api_key.expires_at, subject, body)
    return sent


def _send(api_key: ApiKey, subject: str, body: str, recipient: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except Exception:  # whatever the mail backend raises: the notice must not fail its caller
        logger.exception(
            "could not send a key notice", extra={"key_prefix": api_key.display_prefix}
        )
