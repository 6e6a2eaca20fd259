"""Setting a key's budget: the one spend control that needs money's own records, since
the current window's spending is recounted from the usage totals. The other per-key
controls (pause, models, addresses) live in ``apikeys.controls``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver

from apikeys import controls, signals
from apikeys.audit import Actor
from apikeys.models import ApiKey, ApiKeyEvent, BudgetPeriod
from clipia_console.billing import budgets, usage
from clipia_console.lib import clock

MAX_BUDGET_CREDITS = 10**12


def parse_budget(credits: str | int | None, period: str | None) -> tuple[int | None, str]:
    """(credits or None, period) from user input; ValidationError if bad."""
    if period is not None and period not in BudgetPeriod.values:
        periods = ", ".join(BudgetPeriod.values)
        raise ValidationError({"budget_period": f"The budget period is one of {periods}."})
    chosen = period or BudgetPeriod.MONTH
    if credits is None or (isinstance(credits, str) and not credits.strip()):
        return None, chosen
    text = str(credits).strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_BUDGET_CREDITS:
        message = f"A budget is a whole number of credits from 1 to {MAX_BUDGET_CREDITS}."
        raise ValidationError({"budget_credits": message})
    return int(text), chosen


def set_budget(api_key: ApiKey, credits: int | None, period: str, *, actor: Actor) -> bool:
    """Set (or, with None, remove) the key's budget. The current window's spending is
    recounted from the usage totals, so a new period starts from what it really spent."""
    now = clock.now()
    with transaction.atomic():
        row = controls.locked(api_key)
        old = {"budget_credits": row.budget_credits, "budget_period": row.budget_period}
        new = {"budget_credits": credits, "budget_period": period}
        if old == new:
            return False
        row.budget_credits, row.budget_period = credits, period
        start = budgets.current_window(row, now)
        spent = usage.spent_since(row.pk, start)
        fields = {**new, "budget_window_start": start, "budget_spent": spent}
        ApiKey.objects.filter(pk=row.pk).update(**fields)
        controls.record_change(row, ApiKeyEvent.Kind.BUDGET_CHANGED, actor, old, new)
    controls.copy_fields(api_key, fields)
    return True


@receiver(signals.key_created, dispatch_uid="billing.budget_at_creation")
def _set_budget_at_creation(
    sender: Any, *, api_key: ApiKey, controls: controls.KeyControls, actor: Actor, **kwargs: Any
) -> None:
    """The budget asked for with a new key, in the transaction that creates it."""
    if controls.budget_credits is not None:
        set_budget(api_key, controls.budget_credits, controls.budget_period, actor=actor)
