"""Moving Account and LedgerEntry from the api app to billing keeps every row: an
existing database migrates forward with its balances and ledger intact."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clipia_console.billing import credits
from clipia_console.billing.models import Account, LedgerEntry

LAST_API_MIGRATION_BEFORE = ("api", "0003_idempotency_record")
BEFORE_THE_MOVE: list[tuple[str, str | None]] = [LAST_API_MIGRATION_BEFORE, ("billing", None)]


@pytest.mark.django_db(transaction=True)
def test_balances_and_ledger_rows_survive_the_move_to_billing() -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_THE_MOVE)
    old = MigrationExecutor(connection).loader.project_state([LAST_API_MIGRATION_BEFORE]).apps
    user = old.get_model("auth", "User").objects.create(username="olduser")
    old_account = old.get_model("api", "Account").objects.create(user_id=user.pk, balance=70)
    old.get_model("api", "LedgerEntry").objects.create(
        account_id=old_account.pk, kind="grant", amount=70, reason="before the move"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    account: Any = Account.objects.get(pk=user.pk)
    assert account.balance == 70
    assert list(LedgerEntry.objects.values_list("reason", "amount")) == [("before the move", 70)]
    assert credits.ledger_sum(user.pk) == credits.balance_of(user.pk) == 70
