"""A budget's window never moves backwards. A charge that read its clock just before a
window turned (it waited for the key row's lock, or its host's clock is a little behind)
counts in the window the key is already in; it never restarts the count of the window that
just ended (issue 18: 15 charges where 10 were allowed at a real UTC midnight)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apikeys.models import ApiKey
from clipia_console.billing import budgets, spending
from tests.support import MakeKey, budget, set_clock

TURN = datetime(2026, 3, 5, tzinfo=UTC)  # a day's window turns at midnight
BEFORE = TURN - timedelta(seconds=1)
AFTER = TURN + timedelta(seconds=1)
LIMIT = 100
COST = 20


def claim_at(api_key: ApiKey, now: datetime, cost: int = COST) -> spending.Spent | None:
    """One charge's claim, in its own transaction as a generation's; None if refused."""
    try:
        with transaction.atomic():
            return spending.claim(ApiKey.objects.get(pk=api_key.pk), cost, now)
    except spending.BudgetExceeded:
        return None


@pytest.fixture
def daily(alice: User, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch) -> ApiKey:
    key, _ = make_key(alice, "live")
    set_clock(monkeypatch, TURN - timedelta(hours=1))
    budget(key, LIMIT, "day")
    return key


def test_a_late_charge_after_the_turn_counts_in_the_new_window(daily: ApiKey) -> None:
    for _ in range(LIMIT // COST):
        assert claim_at(daily, BEFORE) is not None
    assert claim_at(daily, BEFORE) is None  # the old window is full
    assert claim_at(daily, AFTER) is not None  # the new one starts

    late = claim_at(daily, BEFORE)

    assert late is not None and late.window_start == TURN
    daily.refresh_from_db()
    assert daily.budget_window_start == TURN
    assert daily.budget_spent == 2 * COST


def test_a_late_charge_is_refused_when_the_new_window_is_full(daily: ApiKey) -> None:
    for _ in range(LIMIT // COST):
        assert claim_at(daily, AFTER) is not None

    assert claim_at(daily, BEFORE) is None

    daily.refresh_from_db()
    assert (daily.budget_window_start, daily.budget_spent) == (TURN, LIMIT)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(min_value=-30, max_value=30), st.sampled_from([5, 20, 35])),
        min_size=1,
        max_size=25,
    )
)
def test_no_window_is_overshot_whatever_the_order_of_clocks(
    daily: ApiKey, charges: list[tuple[int, int]]
) -> None:
    ApiKey.objects.filter(pk=daily.pk).update(budget_window_start=None, budget_spent=0)
    counted: dict[datetime, int] = {}
    latest = datetime.min.replace(tzinfo=UTC)
    for seconds, cost in charges:
        spent = claim_at(daily, TURN + timedelta(seconds=seconds), cost)
        if spent is None:
            continue
        assert spent.window_start >= latest, "the window moved backwards"
        latest = spent.window_start
        counted[spent.window_start] = counted.get(spent.window_start, 0) + cost
    assert all(total <= LIMIT for total in counted.values()), counted
    daily.refresh_from_db()
    if counted:
        assert daily.budget_window_start == latest
        assert daily.budget_spent == counted[latest]


def test_what_a_key_shows_as_spent_follows_the_row_when_this_clock_is_behind(
    daily: ApiKey,
) -> None:
    assert claim_at(daily, AFTER) is not None
    daily.refresh_from_db()

    assert budgets.spent(daily, BEFORE) == COST
