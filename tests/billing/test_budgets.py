"""Per-key budgets through /v1: each period at its window boundary, test-key rehearsal,
refunds to the window charged, and the budget headers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations import services as generations
from clipia_console.generations.models import Generation
from tests.support import FAST, MakeKey, bearer, budget, generate, set_clock

pytestmark = pytest.mark.usefixtures("catalog")


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def rich(alice: User) -> User:
    credits.grant(alice, 10_000, reason="test funds")
    return alice


@pytest.mark.parametrize(
    ("period", "last_moment", "next_window"),
    [
        ("day", "2026-03-04T23:59:59", "2026-03-05T00:00:00"),
        ("week", "2026-03-08T23:59:59", "2026-03-09T00:00:00"),  # Sunday, then Monday
        ("month", "2026-03-31T23:59:59", "2026-04-01T00:00:00"),
    ],
)
def test_a_budget_refuses_past_its_limit_until_the_window_turns(
    rich: User,
    make_key: MakeKey,
    monkeypatch: pytest.MonkeyPatch,
    period: str,
    last_moment: str,
    next_window: str,
) -> None:
    key, raw = make_key(rich, "live")
    budget(key, 40, period)
    set_clock(monkeypatch, moment(last_moment))
    assert generate(raw).status_code == 201
    assert generate(raw).status_code == 201

    refused = generate(raw)

    assert refused.status_code == 402
    error = refused.json()["error"]
    assert error["code"] == "key_budget_exceeded"
    assert f"40 credits per {period}" in error["message"]
    assert "0 left (40 spent)" in error["message"]
    assert f"resets at {next_window}Z" in error["message"]
    assert refused["Clipia-Credits-Charged"] == "0"
    assert Generation.objects.filter(api_key=key).count() == 2
    assert credits.balance_of(rich.pk) == 10_000 - 40

    set_clock(monkeypatch, moment(next_window))
    assert generate(raw).status_code == 201
    key.refresh_from_db()
    assert key.budget_spent == 20
    assert credits.balance_of(rich.pk) == credits.ledger_sum(rich.pk) == 10_000 - 60


def test_a_total_budget_never_resets(
    rich: User, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, raw = make_key(rich, "live")
    budget(key, 20, "total")
    assert generate(raw).status_code == 201
    set_clock(monkeypatch, moment("2030-01-01T00:00:00"))

    refused = generate(raw)

    assert refused.json()["error"]["code"] == "key_budget_exceeded"
    assert "in total" in refused.json()["error"]["message"]
    assert "never resets" in refused.json()["error"]["message"]


def test_the_balance_refusal_stays_insufficient_credits(alice: User, make_key: MakeKey) -> None:
    credits.grant(alice, 10, reason="little")
    key, raw = make_key(alice, "live")
    budget(key, 1000)

    refused = generate(raw)

    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "insufficient_credits"
    key.refresh_from_db()
    assert key.budget_spent == 0  # the budget's count rolled back with the refusal
    assert not Generation.objects.exists()


def test_a_test_key_rehearses_its_budget_without_spending(alice: User, make_key: MakeKey) -> None:
    key, raw = make_key(alice, "test")
    budget(key, 30, "day")
    first = generate(raw)
    assert first.status_code == 201
    assert first["Clipia-Credits-Charged"] == "0"
    assert first["Clipia-Key-Budget-Remaining"] == "10"

    refused = generate(raw)

    assert refused.json()["error"]["code"] == "key_budget_exceeded"
    assert generate(raw, FAST).status_code == 201  # 5 credits still fit
    assert credits.balance_of(alice.pk) == 0
    assert not LedgerEntry.objects.exists()


def test_a_refund_goes_back_to_the_window_it_was_charged_in(
    rich: User, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, raw = make_key(rich, "live")
    budget(key, 40, "day")
    set_clock(monkeypatch, moment("2026-03-04T12:00:00"))
    yesterday = generate(raw).json()["id"]
    set_clock(monkeypatch, moment("2026-03-05T12:00:00"))
    today = generate(raw).json()["id"]

    assert generations.fail(yesterday, "renderer crashed")
    key.refresh_from_db()
    assert key.budget_spent == 20  # yesterday's window is over: today's keeps its count

    assert generations.fail(today, "renderer crashed")
    assert not generations.fail(today, "again")
    key.refresh_from_db()
    assert key.budget_spent == 0
    assert credits.balance_of(rich.pk) == credits.ledger_sum(rich.pk) == 10_000


@pytest.mark.parametrize("period", ["day", "week", "total"])
def test_a_refund_after_the_period_changed_goes_back_to_the_new_window(
    rich: User, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch, period: str
) -> None:
    """The budget's period changed (here: a first budget, not per month) after a charge
    the new window counted: its refund comes back to that window too (issue 18: the
    budget stayed short by the refund, for ever with a total budget)."""
    key, raw = make_key(rich, "live")
    ApiKey.objects.filter(pk=key.pk).update(created_at=moment("2026-03-01T09:00:00"))
    set_clock(monkeypatch, moment("2026-03-04T12:00:00"))
    failed = generate(raw).json()["id"]
    key.refresh_from_db()
    budget(key, 100, period)
    key.refresh_from_db()
    assert key.budget_spent == 20

    assert generations.fail(failed, "renderer crashed")

    key.refresh_from_db()
    assert key.budget_spent == 0
    assert Client().get("/v1/key", **bearer(raw)).json()["budget"]["remaining"] == 100


def test_a_refund_of_a_charge_before_the_new_window_leaves_that_window_alone(
    rich: User, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, raw = make_key(rich, "live")
    set_clock(monkeypatch, moment("2026-03-03T12:00:00"))
    failed = generate(raw).json()["id"]
    set_clock(monkeypatch, moment("2026-03-04T12:00:00"))
    assert generate(raw).status_code == 201
    budget(key, 100, "day")  # today's window counts today's charge only

    assert generations.fail(failed, "renderer crashed")

    key.refresh_from_db()
    assert key.budget_spent == 20


def test_raising_a_budget_recounts_what_the_window_already_spent(
    rich: User, make_key: MakeKey
) -> None:
    key, raw = make_key(rich, "live")
    assert generate(raw).status_code == 201  # no budget yet

    budget(key, 30, "month")

    key.refresh_from_db()
    assert key.budget_spent == 20
    assert generate(raw).json()["error"]["code"] == "key_budget_exceeded"


def test_budget_headers_on_every_answer_of_a_budgeted_key(
    rich: User, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, raw = make_key(rich, "live")
    budget(key, 100, "month")
    set_clock(monkeypatch, moment("2026-03-04T12:00:00"))
    created = generate(raw)
    assert created["Clipia-Credits-Charged"] == "20"

    account = Client().get("/v1/account", **bearer(raw))

    assert account["Clipia-Key-Budget-Limit"] == "100"
    assert account["Clipia-Key-Budget-Remaining"] == "80"
    assert account["Clipia-Key-Budget-Reset"] == "2026-04-01T00:00:00Z"
    not_found = Client().get("/v1/generations/nope", **bearer(raw))
    assert not_found.status_code == 404
    assert not_found["Clipia-Key-Budget-Remaining"] == "80"


def test_a_key_without_budget_sends_no_budget_headers(live_key: tuple[ApiKey, str]) -> None:
    _, raw = live_key
    response = Client().get("/v1/models", **bearer(raw))
    assert "Clipia-Key-Budget-Limit" not in response


def test_a_budgeted_warm_key_reads_in_one_query(
    test_key: tuple[ApiKey, str], django_assert_num_queries: Any
) -> None:
    key, raw = test_key
    budget(key, 100)
    Client().get("/v1/account", **bearer(raw))  # warm, first use recorded
    with django_assert_num_queries(1):
        response = Client().get("/v1/key", **bearer(raw))
    assert response["Clipia-Key-Budget-Limit"] == "100"
