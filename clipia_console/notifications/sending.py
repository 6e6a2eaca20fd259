"""The one sending rule of notices: claimed in the transaction that decides them, sent
after it commits, ``sent_at`` set once sent, retried until sent.

``claim`` writes the notice row (unique per key, kind and occasion, so a second decider
gets None) and schedules ``send`` for after the commit: nothing leaves the process for a
change that rolled back, and sending never holds up a request. A failure to send is
logged, never raised; ``retry_unsent`` (run by ``manage.py sendkeynotices``) sends what is
still unsent after ``RETRY_AFTER``. No notice carries a key: only its name and prefix.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from apikeys.models import ApiKey
from clipia_console.lib import clock
from clipia_console.notifications.models import Notice

logger = logging.getLogger(__name__)

# Long enough that the after-commit send of a fresh notice has had its chance.
RETRY_AFTER: Final = timedelta(minutes=5)


def claim(api_key: ApiKey, kind: str, about: datetime, subject: str, body: str) -> Notice | None:
    """Claim the notice ``(kind, about)`` for ``api_key`` and send it after commit. None
    if it was already claimed (sent, or being sent by someone else). Call inside the
    transaction that decides it."""
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                api_key=api_key,
                kind=kind,
                about=about,
                # One line: a key named before names were, with a line break in it,
                # must not make the e-mail fail (BadHeaderError) and the owner never know.
                subject=" ".join(subject.split())[:200],
                body=body,
                created_at=clock.now(),
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: send(notice.pk))
    return notice


def send(notice_id: int) -> bool:
    """Send the notice unless it was sent; True if this call sent it. The row is locked
    while sending, so two retries never send it twice (skip_locked: the other skips)."""
    with transaction.atomic():
        notice = (
            Notice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("api_key__owner")
            .filter(pk=notice_id, sent_at__isnull=True)
            .first()
        )
        if notice is None or not _deliver(notice):
            return False
        Notice.objects.filter(pk=notice.pk).update(sent_at=clock.now())
    return True


def retry_unsent(now: datetime | None = None) -> int:
    """Send the notices still unsent ``RETRY_AFTER`` after they were claimed, oldest
    first. Returns how many were sent."""
    before = (now or clock.now()) - RETRY_AFTER
    unsent = Notice.objects.filter(sent_at__isnull=True, created_at__lte=before)
    return sum(send(pk) for pk in unsent.order_by("created_at").values_list("pk", flat=True))


def _deliver(notice: Notice) -> bool:
    api_key = notice.api_key
    try:
        recipient = api_key.owner.email
        if not recipient:
            raise ValueError("the owner has no email address")
        send_mail(notice.subject, notice.body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except Exception:  # whatever the mail backend raises: a notice never fails its caller
        logger.exception(
            "could not send the %s notice",
            describe(notice.kind),
            extra={"key_prefix": api_key.display_prefix},
        )
        return False
    return True


def describe(kind: str) -> str:
    """A kind as the logs name it: "budget_80" is the "80% budget" notice."""
    if kind.startswith("budget_"):
        return f"{kind.removeprefix('budget_')}% budget"
    return kind.replace("_", " ")
