"""Notices to a key's owner when a window has spent 80 % and 100 % of the key's budget.

Decided by the charge itself: billing sends ``billing.signals.spent`` inside the charging
transaction, and ``on_spent`` claims a notice for each threshold that charge crossed (one
per key, window and threshold, so each is sent once per window). It is sent after the
charge commits by the one rule in ``notifications.sending``: sending never holds up or
fails a /v1 request, and a failed send is logged and retried by ``sendkeynotices``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from apikeys.models import ApiKey, BudgetPeriod
from clipia_console.billing import budgets
from clipia_console.billing.spending import Spent
from clipia_console.notifications import sending

THRESHOLDS = (80, 100)


def kind_for(percent: int) -> str:
    return f"budget_{percent}"


def on_spent(sender: Any, *, api_key: ApiKey, spent: Spent, **kwargs: Any) -> None:
    """``spent`` receiver: claim the notices this charge's spending crossed into."""
    limit = api_key.budget_credits
    if not limit:
        return
    for percent in THRESHOLDS:
        line = limit * percent / 100
        if spent.before < line <= spent.after:
            subject, body = _message(api_key, spent.window_start, percent)
            sending.claim(api_key, kind_for(percent), spent.window_start, subject, body)


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
