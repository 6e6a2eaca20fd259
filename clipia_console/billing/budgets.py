"""A key's budget: its windows, what is left, and how a response shows it.

Windows are calendar windows in UTC: a ``day`` starts at midnight, a ``week`` on Monday at
midnight, a ``month`` on the 1st at midnight; ``total`` is one window for the key's life,
starting when the key was made. Every window starts at a midnight (but ``total``'s), so
per-day usage totals add up to any window exactly.

Everything here reads the key row that authentication already loaded: no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apikeys.models import ApiKey, BudgetPeriod

LIMIT_HEADER = "Clipia-Key-Budget-Limit"
REMAINING_HEADER = "Clipia-Key-Budget-Remaining"
RESET_HEADER = "Clipia-Key-Budget-Reset"
CHARGED_HEADER = "Clipia-Credits-Charged"


def window_start(period: str, now: datetime, *, key_created_at: datetime) -> datetime:
    """The start of the ``period`` window that contains ``now``."""
    if period == BudgetPeriod.TOTAL:
        return key_created_at
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == BudgetPeriod.DAY:
        return midnight
    if period == BudgetPeriod.WEEK:
        return midnight - timedelta(days=midnight.weekday())
    if period == BudgetPeriod.MONTH:
        return midnight.replace(day=1)
    raise ValueError(f"unknown budget period {period!r}")


def resets_at(period: str, start: datetime) -> datetime | None:
    """When the window starting at ``start`` ends; None for ``total``, which never does."""
    if period == BudgetPeriod.DAY:
        return start + timedelta(days=1)
    if period == BudgetPeriod.WEEK:
        return start + timedelta(days=7)
    if period == BudgetPeriod.MONTH:
        return (start + timedelta(days=32)).replace(day=1)
    return None


# How far ahead of a charge's clock the key row's window may have started and still be the
# one the charge counts in: the time a charge may wait for the row's lock after reading the
# clock, plus the clock difference between hosts. A row further ahead than this was not
# counted by a sane clock (or a test moved the clock back), and its window restarts.
CLOCK_SKEW = timedelta(minutes=5)

# Shortest window first: the same credits over a shorter window let a key spend more.
_PERIODS_BY_LENGTH = (BudgetPeriod.DAY, BudgetPeriod.WEEK, BudgetPeriod.MONTH, BudgetPeriod.TOTAL)


def raises(api_key: ApiKey, credits: int | None, period: str) -> bool:
    """Whether ``credits`` per ``period`` could let ``api_key`` spend more than its budget
    now does: removing it, more credits, or a shorter window. Raising one asks for the
    password again (clipia_console.accounts.sudo); tightening one never does."""
    if api_key.budget_credits is None:
        return False
    if credits is None or credits > api_key.budget_credits:
        return True
    order = _PERIODS_BY_LENGTH.index
    return order(BudgetPeriod(period)) < order(BudgetPeriod(api_key.budget_period))


def current_window(api_key: ApiKey, now: datetime) -> datetime:
    return window_start(api_key.budget_period, now, key_created_at=api_key.created_at)


def spent(api_key: ApiKey, now: datetime) -> int:
    """What the current window has spent: the row's figure, unless its window is over (a
    row in a window that started up to CLOCK_SKEW after ``now``, counted by a host whose
    clock is ahead, is the current one: windows never move back)."""
    row_window = api_key.budget_window_start
    if row_window is None or not current_window(api_key, now) <= row_window <= now + CLOCK_SKEW:
        return 0
    return int(api_key.budget_spent)


@dataclass(frozen=True, slots=True)
class BudgetState:
    limit: int
    period: str
    spent: int
    resets_at: datetime | None

    @property
    def remaining(self) -> int:
        return max(self.limit - self.spent, 0)


def state(api_key: ApiKey, now: datetime) -> BudgetState | None:
    """The key's budget now, or None if it has none."""
    if api_key.budget_credits is None:
        return None
    start = current_window(api_key, now)
    return BudgetState(
        limit=int(api_key.budget_credits),
        period=api_key.budget_period,
        spent=spent(api_key, now),
        resets_at=resets_at(api_key.budget_period, start),
    )


def headers(api_key: ApiKey, now: datetime) -> dict[str, str]:
    """The budget headers every authenticated /v1 response of a budgeted key carries."""
    budget = state(api_key, now)
    if budget is None:
        return {}
    found = {LIMIT_HEADER: str(budget.limit), REMAINING_HEADER: str(budget.remaining)}
    if budget.resets_at is not None:
        found[RESET_HEADER] = _iso(budget.resets_at)
    return found


def describe(api_key: ApiKey, now: datetime) -> dict[str, Any]:
    """The ``budget`` object of GET /v1/key: nulls without a budget."""
    budget = state(api_key, now)
    if budget is None:
        return {"limit": None, "period": None, "spent": None, "remaining": None, "resets_at": None}
    return {
        "limit": budget.limit,
        "period": budget.period,
        "spent": budget.spent,
        "remaining": budget.remaining,
        "resets_at": _iso(budget.resets_at) if budget.resets_at else None,
    }


def exceeded_message(api_key: ApiKey, cost: int, now: datetime) -> str:
    budget = state(api_key, now)
    assert budget is not None
    when = f"it resets at {_iso(budget.resets_at)}" if budget.resets_at else "it never resets"
    per = "in total" if budget.period == BudgetPeriod.TOTAL else f"per {budget.period}"
    return (
        f"This generation costs {cost} credits and this key's budget of {budget.limit} "
        f"credits {per} has {budget.remaining} left ({budget.spent} spent); {when}. "
        "Nothing was charged."
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
