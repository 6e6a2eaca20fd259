"""Emails to a key's owner when a window has spent 80 % and 100 % of the key's budget.

Each is sent once per window (a ``BudgetNotice`` row per key, window and threshold, whose
unique constraint decides who sends), after the charge commits, so sending never holds
up or fails a /v1 request; a failure is logged and the row removed so a later charge in
the same window may try again.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from apikeys.models import ApiKey, BudgetPeriod
from clipia_console.billing import budgets
from clipia_console.billing.models import BudgetNotice
from clipia_console.billing.spending import Spent

logger = logging.getLogger(__name__)

THRESHOLDS = (80, 100)


def after_spending(api_key: ApiKey, spent: Spent) -> None:
    """Schedule, for after commit, the notices this charge's spending crossed into."""
    limit = api_key.budget_credits
    if not limit:
        return
    for percent in THRESHOLDS:
        line = limit * percent / 100
        if spent.before < line <= spent.after:
            transaction.on_commit(
                functools.partial(send_notice, api_key, spent.window_start, percent)
            )


def send_notice(api_key: ApiKey, window_start: datetime, percent: int) -> bool:
    """Email the owner, unless this window's notice at ``percent`` was already sent."""
    try:
        with transaction.atomic():
            notice = BudgetNotice.objects.create(
                api_key_id=api_key.pk, window_start=window_start, percent=percent
            )
    except IntegrityError:
        return False
    owner = api_key.owner
    try:
        if not owner.email:
            raise ValueError("the owner has no email address")
        subject, body = _message(api_key, window_start, percent)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
    except Exception:
        logger.exception(
            "could not send the %s%% budget notice",
            percent,
            extra={"key_prefix": api_key.display_prefix},
        )
        notice.delete()
        return False
    return True


def _message(api_key: ApiKey, window_start: datetime, percent: int) -> tuple[str, str]:
    limit = int(api_key.budget_credits or 0)
    resets = budgets.resets_at(api_key.budget_period, window_start)
    per = (
        "in total"
        if api_key.budget_period == BudgetPeriod.TOTAL
        else f"per {api_key.budget_period}"
    )
    what = "has used its whole budget" if percent >= 100 else f"has used {percent} % of its budget"
    subject = f"Clipia: your key {api_key.name!r} {what}"
    lines = [
        f"Your API key {api_key.name!r} ({api_key.display_prefix}…) {what} of {limit} "
        f"credits {per}.",
        "",
        "Past the budget, its generations are refused with key_budget_exceeded; nothing is "
        "charged.",
        f"The budget resets at {resets:%Y-%m-%d %H:%M} UTC."
        if resets
        else "A total budget never resets.",
        "",
        "You can raise the budget, or pause the key, on its page in the Clipia console.",
    ]
    return subject, "\n".join(lines)
