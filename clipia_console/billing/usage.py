"""Usage figures: per key, per UTC day, per model totals (``UsageDay``), written by the
charge and refund transactions and read by the key page, the Usage tab and /v1/usage.

Writes are one upsert (INSERT … ON CONFLICT DO UPDATE with increments, on SQLite and
PostgreSQL alike); reads are a constant number of aggregate queries over at most
days × keys × models rows, whatever the number of generations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import connections, router
from django.db.models import Sum

from apikeys.models import ApiKey
from clipia_console.billing.charges import Charge
from clipia_console.billing.models import UsageDay


def record(generation: Charge, *, generations: int, credits: int) -> None:
    """Add to the totals of the generation's (key, creation day, model). Inside the
    charge's or refund's transaction."""
    connection = connections[router.db_for_write(UsageDay)]
    table = connection.ops.quote_name(UsageDay._meta.db_table)
    day = connection.ops.adapt_datefield_value(generation.created_at.astimezone(UTC).date())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "
            "(api_key_id, owner_id, environment, day, model_id, generations, credits) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (api_key_id, day, model_id) DO UPDATE SET "
            f"generations = {table}.generations + excluded.generations, "
            f"credits = {table}.credits + excluded.credits",
            [
                generation.api_key_id,
                generation.owner_id,
                generation.environment,
                day,
                generation.model_id,
                generations,
                credits,
            ],
        )


def spent_since(api_key_id: int, since: datetime) -> int:
    """What a key has spent from ``since`` (a midnight, or a total budget's start)."""
    rows = UsageDay.objects.filter(api_key_id=api_key_id, day__gte=since.date())
    return int(rows.aggregate(total=Sum("credits"))["total"] or 0)


def first_day(days: int, today: date) -> date:
    return today - timedelta(days=days - 1)


@dataclass
class Totals:
    generations: int = 0
    credits: int = 0


@dataclass
class KeyUsage:
    """One key's figures: per day (oldest first, every day present) and per model."""

    days: list[tuple[date, Totals]]
    by_model: list[tuple[str, Totals]]
    this_month: int
    total: Totals = field(default_factory=Totals)


def for_key(api_key: ApiKey, today: date, days: int = 30) -> KeyUsage:
    """Two queries: the last ``days`` days by day and model, and this month's sum."""
    since = first_day(days, today)
    rows = UsageDay.objects.filter(api_key_id=api_key.pk, day__gte=since).values_list(
        "day", "model_id", "generations", "credits"
    )
    per_day: dict[date, Totals] = defaultdict(Totals)
    per_model: dict[str, Totals] = defaultdict(Totals)
    total = Totals()
    for day, model_id, generations, credits in rows:
        for bucket in (per_day[day], per_model[model_id], total):
            bucket.generations += generations
            bucket.credits += credits
    month = UsageDay.objects.filter(api_key_id=api_key.pk, day__gte=today.replace(day=1))
    this_month = int(month.aggregate(total=Sum("credits"))["total"] or 0)
    return KeyUsage(
        days=[(since + timedelta(days=n), per_day[since + timedelta(days=n)]) for n in range(days)],
        by_model=sorted(per_model.items(), key=lambda item: (-item[1].credits, item[0])),
        this_month=this_month,
        total=total,
    )


def for_account(owner_id: int, today: date, days: int = 30) -> dict[str, Any]:
    """The account's last ``days`` days by key and by model, live and test apart: one
    query. ``{"live": {"keys": [(key, Totals)], "models": [(id, Totals)]}, "test": …}``."""
    since = first_day(days, today)
    rows = (
        UsageDay.objects.filter(owner_id=owner_id, day__gte=since)
        .values("environment", "api_key_id", "model_id")
        .annotate(generations=Sum("generations"), credits=Sum("credits"))
        .order_by()
    )
    keys = {key.pk: key for key in ApiKey.objects.filter(owner_id=owner_id)}
    figures: dict[str, Any] = {}
    for environment in ApiKey.Environment:
        by_key: dict[int, Totals] = defaultdict(Totals)
        by_model: dict[str, Totals] = defaultdict(Totals)
        for row in rows:
            if row["environment"] != environment:
                continue
            for bucket in (by_key[row["api_key_id"]], by_model[row["model_id"]]):
                bucket.generations += row["generations"]
                bucket.credits += row["credits"]
        figures[environment] = {
            "keys": sorted(
                ((keys[pk], totals) for pk, totals in by_key.items() if pk in keys),
                key=lambda item: (-item[1].credits, item[0].name),
            ),
            "models": sorted(by_model.items(), key=lambda item: (-item[1].credits, item[0])),
        }
    return figures


def for_api(owner_id: int, environment: str, today: date, days: int) -> list[dict[str, Any]]:
    """GET /v1/usage's rows: per day, per key (prefix) and per model. One query."""
    since = first_day(days, today)
    rows = (
        UsageDay.objects.filter(owner_id=owner_id, environment=environment, day__gte=since)
        .values_list("day", "api_key__lookup_id", "model_id", "generations", "credits")
        .order_by("day", "api_key__lookup_id", "model_id")
    )
    return [
        {
            "date": day.isoformat(),
            "key": ApiKey(environment=environment, lookup_id=lookup_id).display_prefix,
            "model": model_id,
            "generations": generations,
            "credits": credits,
        }
        for day, lookup_id, model_id, generations, credits in rows
    ]
