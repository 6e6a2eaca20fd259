"""The spending benchmark of issue 11, in process through Django's WSGI handler:

- the generation path, ``POST /v1/models/{model}`` with a live key under a budget and
  with one without, interleaved (target: budgeted ≥ 0.9 × the throughput);
- the usage figures (the key page's, the Usage tab's and /v1/usage's queries) with
  ``GENERATIONS`` generations and their per-day totals in the database (target: each
  under 50 ms). The rows are made by the database itself (generate_series on
  PostgreSQL, a recursive CTE on SQLite), not by the ORM, so seeding takes seconds.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from apikeys import services
from apikeys.models import ApiKey
from bench import inprocess
from clipia_console.billing import budget_settings, credits, usage
from clipia_console.billing.models import UsageDay
from clipia_console.generations.models import Generation, VideoModel

MODEL = "clipia/motion-v1-fast"
DAYS = 90


@dataclass(frozen=True)
class SpendingResult:
    budgeted_us: float
    unbudgeted_us: float
    generations: int
    figures_ms: dict[str, float]


def run(*, rounds: int, requests: int, generations: int) -> SpendingResult:
    owner = User.objects.create_user("spender", "spender@example.com", "unused")
    credits.grant(owner, 10**12, reason="benchmark")
    actor = services.Actor.command("bench")
    budgeted, budgeted_raw = services.create_key(
        owner=owner, name="budgeted", environment="live", actor=actor
    )
    budget_settings.set_budget(budgeted, 10**12, "month", actor=actor)
    _, plain_raw = services.create_key(owner=owner, name="plain", environment="live", actor=actor)
    handler = WSGIHandler()
    for raw in (budgeted_raw, plain_raw):
        assert _generate(handler, raw) == 201
    samples: dict[str, list[float]] = {"budgeted": [], "plain": []}
    for _ in range(rounds):
        for name, raw in (("budgeted", budgeted_raw), ("plain", plain_raw)):
            for _ in range(requests):
                started = time.perf_counter()
                _generate(handler, raw)
                samples[name].append((time.perf_counter() - started) * 1e6)
    _seed_history(owner, budgeted, generations)
    return SpendingResult(
        budgeted_us=statistics.median(samples["budgeted"]),
        unbudgeted_us=statistics.median(samples["plain"]),
        generations=Generation.objects.count(),
        figures_ms=_figures(owner, budgeted),
    )


def _generate(handler: WSGIHandler, raw_key: str) -> int:
    body = json.dumps({"prompt": "a kite in the wind"}).encode()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}
    return inprocess.request(handler, "POST", f"/v1/models/{MODEL}", headers, body)


def _seed_history(owner: User, api_key: ApiKey, count: int) -> None:
    """``count`` succeeded generations spread over DAYS days, and the matching UsageDay
    rows (one per key, day and model), written by the database in one statement each."""
    table = Generation._meta.db_table
    start = datetime.now(UTC) - timedelta(days=DAYS)
    models = list(VideoModel.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (id, owner_id, api_key_id, environment, model_id, prompt, "
                "params, status, cost, error, created_at, budget_window_start, dispatched_at) "
                "SELECT gen_random_uuid(), %s, %s, 'live', %s, 'bench', '{}'::jsonb, "
                "'succeeded', 5, '', %s + (n %% %s) * interval '1 day', NULL, NULL "
                "FROM generate_series(1, %s) AS n",
                [owner.pk, api_key.pk, MODEL, start, DAYS, count],
            )
        else:
            cursor.execute(
                f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s) "
                f"INSERT INTO {table} (id, owner_id, api_key_id, environment, model_id, prompt, "
                "params, status, cost, error, created_at) "
                "SELECT lower(hex(randomblob(16))), %s, %s, 'live', %s, 'bench', '{}', "
                "'succeeded', 5, '', datetime(%s, '+' || (n %% %s) || ' days') FROM s",
                [count, owner.pk, api_key.pk, MODEL, start.strftime("%Y-%m-%d %H:%M:%S"), DAYS],
            )
    per_row = count // (DAYS * len(models))
    UsageDay.objects.bulk_create(
        UsageDay(
            api_key_id=api_key.pk,
            owner_id=owner.pk,
            environment="live",
            day=(start + timedelta(days=day)).date(),
            model_id=model_id,
            generations=per_row,
            credits=per_row * 5,
        )
        for day in range(DAYS)
        for model_id in models
    )


def _figures(owner: User, api_key: ApiKey) -> dict[str, float]:
    today = datetime.now(UTC).date()
    queries: dict[str, Callable[[], object]] = {
        "key page (usage.for_key)": lambda: usage.for_key(api_key, today),
        "Usage tab (usage.for_account)": lambda: usage.for_account(owner.pk, today),
        "/v1/usage?days=90 (usage.for_api)": lambda: usage.for_api(owner.pk, "live", today, 90),
    }
    result = {}
    for name, query in queries.items():
        query()
        times = []
        for _ in range(20):
            started = time.perf_counter()
            query()
            times.append((time.perf_counter() - started) * 1e3)
        result[name] = statistics.median(times)
    return result
