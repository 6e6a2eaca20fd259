"""A key spends: the conditional update of its row that a charge starts with.

One UPDATE, inside the transaction that creates and charges a generation, both checks and
counts: the key is still active (not revoked, paused or expired: whatever committed since
authentication read the row) and its budget allows the cost (the row's window is this
charge's or a later one and spent + cost <= budget, or the row's window is older and cost
<= budget, starting the new window in the same statement; a window never moves back).
The UPDATE also takes the row's lock until the transaction ends, so
``apikeys.services.revoke_key`` and the settings services (UPDATEs of the same row)
serialise with charges in flight: once a revoke returns, no new charge starts.

The lock order, for every transaction that moves money: the key row (this claim, or
``give_back``), then the account's balance row (``credits``), then the usage rows
(``usage.record``), then the ledger. A charge takes them in that order; so must a refund,
or a refund and a charge on one key deadlock (PostgreSQL then kills one of them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, F, Q, Value, When

from apikeys import rolling
from apikeys.exceptions import KeyPaused, ModelNotAllowed
from apikeys.models import ApiKey
from apikeys.status import KeyStatus, status_condition
from clipia_console.billing import budgets, signals


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


def claim(api_key: ApiKey, cost: int, now: datetime, *, model_id: str | None = None) -> Spent:
    """Count ``cost`` against the key's current window, or raise KeyCannotSpend (or
    apikeys.exceptions.KeyPaused, the same refusal apikeys.controls gives early). Call
    inside the charging transaction. Updates ``api_key``'s budget fields to the row's."""
    credential = api_key.authenticated_verifier
    for _ in range(2):
        start = budgets.current_window(api_key, now)
        updated = _count(api_key, cost, now, start)
        _reload(api_key)
        if updated:
            _still_allowed(api_key, credential, model_id, now)
            # Either the row's window already had after - cost, or a new one started at 0.
            after = int(api_key.budget_spent)
            window = api_key.budget_window_start
            assert window is not None
            return Spent(window_start=window, before=after - cost, after=after)
        if not api_key.is_usable(now):
            raise KeyNoLongerValid
        if api_key.status_at(now) is KeyStatus.PAUSED:
            raise KeyPaused
        if api_key.budget_credits is not None and budgets.current_window(api_key, now) == start:
            raise BudgetExceeded
        # The period changed under us (the owner edited the budget): try once more with it.
    raise BudgetExceeded


def _count(api_key: ApiKey, cost: int, now: datetime, start: datetime) -> int:
    """The conditional UPDATE: 1 if the key row, still active, took ``cost`` into the
    window starting at ``start`` (or the row's later one), else 0."""
    # A window never moves backwards: a row already in this window, or in one that
    # started at most budgets.CLOCK_SKEW after this charge's clock (it read the clock
    # before it waited for the row's lock, or its host's clock is behind another's),
    # counts there; only an older window restarts at 0.
    current = Q(budget_window_start__gte=start, budget_window_start__lte=now + budgets.CLOCK_SKEW)
    fits = (
        Q(budget_credits__isnull=True)
        | (current & Q(budget_spent__lte=F("budget_credits") - cost))
        | (~current & Q(budget_credits__gte=cost))
    )
    active = status_condition(KeyStatus.ACTIVE, now=now)
    return (
        ApiKey.objects.filter(active, fits, pk=api_key.pk, budget_period=api_key.budget_period)
        .order_by()
        .update(
            budget_window_start=Case(
                When(current, then=F("budget_window_start")), default=Value(start)
            ),
            budget_spent=Case(When(current, then=F("budget_spent") + cost), default=Value(cost)),
        )
    )


def _still_allowed(api_key: ApiKey, credential: str, model_id: str | None, now: datetime) -> None:
    """What authentication and the early checks saw may have changed before the claim
    took the row's lock: the old secret the request came with retired (a roll that ended
    its grace, a report), or the model left the key's list. The row is locked now, so
    this is the last word; raising undoes the count with the caller's transaction."""
    still_previous = credential == api_key.previous_verifier and rolling.previous_works(
        api_key, now
    )
    if credential and credential != api_key.verifier and not still_previous:
        raise KeyNoLongerValid
    if model_id is not None and api_key.allowed_models and model_id not in api_key.allowed_models:
        raise ModelNotAllowed(model_id, list(api_key.allowed_models))


def keep(api_key: ApiKey, spent: Spent) -> None:
    """The claim ``spent`` stands (what it paid for was made): tell the packages above
    (``signals.spent``), inside the charging transaction."""
    signals.spent.send(sender=ApiKey, api_key=api_key, spent=spent)


def give_back(
    api_key_id: int, window_start: datetime | None, cost: int, *, charged_at: datetime | None
) -> None:
    """Return ``cost`` to the key's current window if the charge is counted in it: the
    window it was claimed in, or any window that started by ``charged_at`` (the period
    changed since, and ``budget_settings`` recounted the new window from the usage totals,
    this charge included). A window that is over keeps its figure. Inside the refund's
    transaction, which makes it happen once."""
    if cost <= 0:
        return
    counted_in = Q(budget_window_start=window_start) if window_start else Q(pk__in=[])
    if charged_at is not None:
        counted_in |= Q(budget_window_start__lte=charged_at)
    ApiKey.objects.filter(counted_in, pk=api_key_id, budget_spent__gte=cost).update(
        budget_spent=F("budget_spent") - cost
    )


def give_back_at_once(api_key: ApiKey, spent: Spent, cost: int) -> None:
    """give_back for a generation that fails in the transaction that claimed ``spent``
    (the sandbox's fail), updating ``api_key``'s budget fields to the row's, so the answer's
    budget headers show what is left after the refund."""
    give_back(api_key.pk, spent.window_start, cost, charged_at=None)
    _reload(api_key)


_BUDGET_FIELDS = (
    # What _still_allowed reads: the secrets, the grace rule and the model list.
    "verifier",
    "previous_verifier",
    "previous_expires_at",
    "previous_quiet_after",
    "previous_last_used_at",
    "rolled_at",
    "last_used_at",
    "allowed_models",
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
