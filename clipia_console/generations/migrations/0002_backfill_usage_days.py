"""Usage totals for the generations made before they were kept.

billing's 0002 added UsageDay, and the charge and refund transactions have kept it up to
date since, but it started empty: after the upgrade, a budget recounted from the usage
totals (a first budget, a changed period) ignored what the key had spent earlier in its
window. This adds every generation created before that migration was applied to the
totals, as the charge would have (live: what it cost; test: what it would have cost live,
at today's price, the only one known), less what was given back (refunded live
generations, failed test ones), and recounts the current window of every budgeted key.
"""

from datetime import UTC, datetime
from typing import Any

from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Exists, OuterRef, Sum

USAGE_STARTED = ("billing", "0002_usage_days_and_budget_notices")


def backfill(apps: Any, schema_editor: Any) -> None:
    started = (
        MigrationRecorder(schema_editor.connection)
        .migration_qs.filter(app=USAGE_STARTED[0], name=USAGE_STARTED[1])
        .values_list("applied", flat=True)
        .first()
    )
    if started is None:
        return
    totals = _totals_before(apps, started)
    usage_day = apps.get_model("billing", "UsageDay")
    for (api_key_id, owner_id, environment, day, model_id), (count, credits) in totals.items():
        row, _ = usage_day.objects.get_or_create(
            api_key_id=api_key_id,
            day=day,
            model_id=model_id,
            defaults={"owner_id": owner_id, "environment": environment},
        )
        row.generations += count
        row.credits += credits
        row.save(update_fields=["generations", "credits"])
    _recount_budgets(apps, usage_day)


def _totals_before(apps: Any, started: datetime) -> dict[tuple[Any, ...], list[int]]:
    generation = apps.get_model("generations", "Generation")
    prices = dict(
        apps.get_model("generations", "VideoModel").objects.values_list("pk", "price_credits")
    )
    refunds = apps.get_model("billing", "LedgerEntry").objects.filter(
        kind="refund", generation_id=OuterRef("pk")
    )
    totals: dict[tuple[Any, ...], list[int]] = {}
    rows = (
        generation.objects.filter(api_key__isnull=False, created_at__lt=started)
        .annotate(refunded=Exists(refunds))
        .values_list(
            "api_key_id",
            "owner_id",
            "environment",
            "created_at",
            "model_id",
            "cost",
            "status",
            "refunded",
        )
        .iterator()
    )
    for api_key_id, owner_id, environment, created_at, model_id, cost, status, refunded in rows:
        live = environment == "live"
        credits = cost if live else prices.get(model_id, 0)
        given_back = refunded if live else status == "failed"
        day = created_at.astimezone(UTC).date()
        total = totals.setdefault((api_key_id, owner_id, environment, day, model_id), [0, 0])
        total[0] += 1
        total[1] += 0 if given_back else credits
    return totals


def _recount_budgets(apps: Any, usage_day: Any) -> None:
    api_key = apps.get_model("apikeys", "ApiKey")
    budgeted = api_key.objects.filter(
        budget_credits__isnull=False, budget_window_start__isnull=False
    )
    for key in budgeted.only("pk", "budget_window_start"):
        spent = usage_day.objects.filter(
            api_key_id=key.pk, day__gte=key.budget_window_start.astimezone(UTC).date()
        ).aggregate(total=Sum("credits"))["total"]
        api_key.objects.filter(pk=key.pk).update(budget_spent=max(int(spent or 0), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("generations", "0001_move_from_api"),
        ("billing", "0004_delete_budgetnotice"),
        ("apikeys", "0011_grace_rule_and_retired_note"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
