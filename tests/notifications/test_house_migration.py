"""A database at the migrations of main before the house issue (KeyNotice in apikeys,
BudgetNotice in billing) migrates forward with every row intact: both notice tables become
notifications.Notice rows, already sent, and generations and the ledger are untouched."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry, UsageDay
from clipia_console.generations.models import Generation
from clipia_console.notifications.models import Notice

BEFORE_THE_HOUSE = [
    ("apikeys", "0009_event_kind_limit_changed"),
    ("billing", "0003_ledger_generation_moved"),
    ("generations", "0001_move_from_api"),
    ("api", "0006_generations_move_to_generations"),
]
EXPIRES = datetime(2026, 6, 8, 12, 0, tzinfo=UTC)
WINDOW = datetime(2026, 6, 1, tzinfo=UTC)
SENT = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


def old_rows(apps: Any) -> dict[str, Any]:
    """One row in every table the house issue moves or touches, as main wrote them."""
    user = apps.get_model("auth", "User").objects.create(username="olduser", email="o@x.io")
    key = apps.get_model("apikeys", "ApiKey").objects.create(
        owner_id=user.pk, name="old", environment="live", lookup_id="a" * 12
    )
    apps.get_model("apikeys", "KeyNotice").objects.create(
        api_key_id=key.pk, kind="expires_in_7_days", about=EXPIRES, created_at=SENT
    )
    apps.get_model("billing", "BudgetNotice").objects.create(
        api_key_id=key.pk, window_start=WINDOW, percent=80, sent_at=SENT
    )
    model, _ = apps.get_model("generations", "VideoModel").objects.get_or_create(
        id="clipia/old-v1", defaults={"name": "Old", "description": "", "price_credits": 20}
    )
    generation = apps.get_model("generations", "Generation").objects.create(
        owner_id=user.pk,
        api_key_id=key.pk,
        environment="live",
        model_id=model.pk,
        prompt="before the house",
        cost=20,
    )
    account = apps.get_model("billing", "Account").objects.create(user_id=user.pk, balance=80)
    ledger = apps.get_model("billing", "LedgerEntry")
    ledger.objects.create(account_id=account.pk, kind="grant", amount=100, reason="funds")
    ledger.objects.create(
        account_id=account.pk, kind="charge", amount=-20, generation_id=generation.pk
    )
    apps.get_model("billing", "UsageDay").objects.create(
        api_key_id=key.pk,
        owner_id=user.pk,
        environment="live",
        day=date(2026, 6, 1),
        model_id=model.pk,
        generations=1,
        credits=20,
    )
    return {"user": user.pk, "key": key.pk, "generation": generation.pk}


@pytest.mark.django_db(transaction=True)
def test_every_notice_generation_and_ledger_row_survives_the_house_migrations() -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([*BEFORE_THE_HOUSE, ("notifications", None)])
    old = MigrationExecutor(connection).loader.project_state(BEFORE_THE_HOUSE).apps
    ids = old_rows(old)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    notices = Notice.objects.order_by("kind").values_list(
        "api_key_id", "kind", "about", "channel", "created_at", "sent_at"
    )
    assert list(notices) == [
        (ids["key"], "budget_80", WINDOW, "email", SENT, SENT),
        (ids["key"], "expires_in_7_days", EXPIRES, "email", SENT, SENT),
    ]
    generation = Generation.objects.get()
    assert (generation.pk, generation.cost, generation.prompt) == (
        ids["generation"],
        20,
        "before the house",
    )
    assert list(LedgerEntry.objects.order_by("amount").values_list("amount", "generation_id")) == [
        (-20, ids["generation"]),
        (100, None),
    ]
    assert credits.ledger_sum(ids["user"]) == credits.balance_of(ids["user"]) == 80
    assert UsageDay.objects.get().credits == 20


def usage_rows(apps: Any) -> dict[str, Any]:
    """A key with one live generation that the usage totals already count."""
    user = apps.get_model("auth", "User").objects.create(username="olduser", email="o@x.io")
    key = apps.get_model("apikeys", "ApiKey").objects.create(
        owner_id=user.pk, name="old", environment="live", lookup_id="a" * 12
    )
    apps.get_model("generations", "VideoModel").objects.get_or_create(
        id="clipia/old-v1", defaults={"name": "Old", "description": "", "price_credits": 20}
    )
    apps.get_model("generations", "Generation").objects.create(
        owner_id=user.pk,
        api_key_id=key.pk,
        environment="live",
        model_id="clipia/old-v1",
        prompt="counted",
        cost=20,
    )
    apps.get_model("billing", "UsageDay").objects.create(
        api_key_id=key.pk,
        owner_id=user.pk,
        environment="live",
        day=date(2026, 6, 1),
        model_id="clipia/old-v1",
        generations=1,
        credits=20,
    )
    return {"user": user.pk, "key": key.pk}


@pytest.mark.django_db(transaction=True)
def test_generations_from_before_usage_totals_are_added_to_them_once() -> None:
    """Issue 18: after the upgrade that added usage totals, a budget recounted from them
    ignored what the key had spent before (the totals started empty)."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = [
        ("generations", "0001_move_from_api"),
        ("billing", "0004_delete_budgetnotice"),
        ("apikeys", "0010_delete_keynotice"),
    ]
    executor.migrate(before)
    old = MigrationExecutor(connection).loader.project_state(before).apps
    ids = usage_rows(old)  # a live generation charged 20, already in the totals
    early = datetime(2020, 1, 2, 10, 0, tzinfo=UTC)  # before the totals were kept
    generations = old.get_model("generations", "Generation").objects
    test_key = old.get_model("apikeys", "ApiKey").objects.create(
        owner_id=ids["user"], name="sandbox", environment="test", lookup_id="b" * 12
    )
    for key, environment, status, cost in [
        (ids["key"], "live", "succeeded", 20),
        (test_key.pk, "test", "failed", 0),
    ]:
        generations.create(
            owner_id=ids["user"],
            api_key_id=key,
            environment=environment,
            model_id="clipia/old-v1",
            prompt="early",
            cost=cost,
            status=status,
            created_at=early,
        )
    old.get_model("apikeys", "ApiKey").objects.filter(pk=ids["key"]).update(
        budget_credits=100, budget_period="total", budget_window_start=early, budget_spent=20
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    by_day = UsageDay.objects.order_by("day", "environment").values_list(
        "day", "environment", "generations", "credits"
    )
    assert list(by_day) == [
        (date(2020, 1, 2), "live", 1, 20),
        (date(2020, 1, 2), "test", 1, 0),  # failed in the sandbox: its cost given back
        (date(2026, 6, 1), "live", 1, 20),  # kept by the charge: not counted twice
    ]
    assert ApiKey.objects.get(pk=ids["key"]).budget_spent == 40
