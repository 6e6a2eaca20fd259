"""A key spends: the conditional update of its row that a charge starts with.

One UPDATE, inside the transaction that creates and charges a generation, both checks and
counts: the key is still active (not revoked, paused or expired: whatever committed since
authentication read the row) and its budget allows the cost (same window and spent + cost
<= budget, or a new window and cost <= budget, rolling the window start in the same
statement). The UPDATE also takes the row's lock until the transaction ends, so
``apikeys.services.revoke_key`` and the settings services (UPDATEs of the same row)
serialise with charges in flight: once a revoke returns, no new charge starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, F, Q, Value, When

from apikeys.exceptions import KeyPaused
from apikeys.models import ApiKey
from apikeys.status import KeyStatus, status_condition
from clipia_console.billing import budgets


class KeyCannotSpend(Exception):
    """Base: the key may not spend now; nothing was written."""


class KeyNoLongerValid(KeyCannotSpend):
    """Revoked or expired since authentication read the row."""


class BudgetExceeded(KeyCannotSpend):
    pass


@dataclass(frozen=True, slots=True)
class Spent:
    """What a successful claim did to the key's window."""

    window_start: datetime
    before: int
    after: int


def claim(api_key: ApiKey, cost: int, now: datetime) -> Spent:
    """Count ``cost`` against the key's current window, or raise KeyCannotSpend (or
    apikeys.exceptions.KeyPaused, the same refusal apikeys.controls gives early). Call
    inside the charging transaction. Updates ``api_key``'s budget fields to the row's."""
    for _ in range(2):
        start = budgets.current_window(api_key, now)
        same_window = Q(budget_window_start=start)
        fits = (
            Q(budget_credits__isnull=True)
            | (same_window & Q(budget_spent__lte=F("budget_credits") - cost))
            | (~same_window & Q(budget_credits__gte=cost))
        )
        active = status_condition(KeyStatus.ACTIVE, now=now)
        updated = (
            ApiKey.objects.filter(active, fits, pk=api_key.pk, budget_period=api_key.budget_period)
            .order_by()
            .update(
                budget_window_start=start,
                budget_spent=Case(
                    When(same_window, then=F("budget_spent") + cost), default=Value(cost)
                ),
            )
        )
        _reload(api_key)
        if updated:
            # Either this window already had after - cost, or a new one started at 0.
            after = int(api_key.budget_spent)
            return Spent(window_start=start, before=after - cost, after=after)
        if not api_key.is_usable(now):
            raise KeyNoLongerValid
        if api_key.status_at(now) is KeyStatus.PAUSED:
            raise KeyPaused
        if api_key.budget_credits is not None and budgets.current_window(api_key, now) == start:
            raise BudgetExceeded
        # The period changed under us (the owner edited the budget): try once more with it.
    raise BudgetExceeded


def give_back(api_key_id: int, window_start: datetime | None, cost: int) -> None:
    """Return ``cost`` to the window it was counted in, if that window is still the key's
    current one (a window that is over keeps its figure). Inside the refund's
    transaction, which makes it happen once."""
    if window_start is None or cost <= 0:
        return
    ApiKey.objects.filter(
        pk=api_key_id, budget_window_start=window_start, budget_spent__gte=cost
    ).update(budget_spent=F("budget_spent") - cost)


def give_back_at_once(api_key: ApiKey, spent: Spent, cost: int) -> None:
    """give_back for a generation that fails in the transaction that claimed ``spent``
    (the sandbox's fail), updating ``api_key``'s budget fields to the row's, so the answer's
    budget headers show what is left after the refund."""
    give_back(api_key.pk, spent.window_start, cost)
    _reload(api_key)


_BUDGET_FIELDS = (
    "revoked_at",
    "paused_at",
    "expires_at",
    "budget_credits",
    "budget_period",
    "budget_window_start",
    "budget_spent",
)


def _reload(api_key: ApiKey) -> None:
    row = ApiKey.objects.filter(pk=api_key.pk).values(*_BUDGET_FIELDS).get()
    for name, value in row.items():
        setattr(api_key, name, value)
