"""Helpers shared by test modules (never import one test module from another)."""

from __future__ import annotations

import importlib
import re
import secrets
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

from apikeys.models import ApiKey
from apikeys.services import Actor
from clipia_console.billing import budget_settings
from clipia_console.generations.models import VideoModel
from clipia_console.lib import clock

MOTION = "clipia/motion-v1"  # 20 credits
FAST = "clipia/motion-v1-fast"  # 5 credits
STAFF_COMMAND = Actor.command("tests")


PASSWORD = "correct-horse-battery"
FULL_KEY = re.compile(r"clipia_(?:live|test)_[0-9A-Za-z]{50}")  # a whole key, as shown once
# make_key(owner, env="test", scopes=("generate", "read"), name="…") -> (row, full key)
MakeKey = Callable[..., tuple[ApiKey, str]]


def clear_cache() -> None:
    """Empty this test process's cache. On Redis, only this worker's keys (its
    CACHE_KEY_PREFIX, tests/settings.py): Django's clear() would flush the whole database
    under the other pytest-xdist workers' feet."""
    options = settings.CACHES["default"]
    if not str(options["BACKEND"]).endswith(".RedisCache"):
        cache.clear()
        return
    client = redis.Redis.from_url(str(options["LOCATION"]))
    try:
        keys = list(client.scan_iter(match=f"{options['KEY_PREFIX']}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def seed_catalog() -> None:
    """Write the model catalog as its data migration does (a flush empties it)."""
    seed = importlib.import_module("clipia_console.api.migrations.0002_seed_models")
    for entry in seed.CATALOG:
        VideoModel.objects.update_or_create(id=entry["id"], defaults=entry)


def bearer(raw_key: str) -> dict[str, Any]:
    """The header that sends ``raw_key``, for Django's test client. dict[str, Any]:
    django-stubs types Client.get's **extra per keyword, so a str-valued dict would not
    type-check when spread into it."""
    return {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}


def generate(raw_key: str, model: str = MOTION, **extra: Any) -> Any:
    return Client().post(
        f"/v1/models/{model}",
        data={"prompt": "a kite in the wind"},
        content_type="application/json",
        **bearer(raw_key),
        **extra,
    )


def set_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Move the application's one clock (``clipia_console.lib.clock``) to ``moment``."""
    monkeypatch.setattr(clock, "now", lambda: moment)


def budget(api_key: ApiKey, credits: int | None, period: str = "month") -> None:
    budget_settings.set_budget(api_key, credits, period, actor=STAFF_COMMAND)


dispatched: list[Any] = []


def recording_dispatcher(generation_id: Any) -> None:
    dispatched.append(generation_id)


def failing_dispatcher(generation_id: Any) -> None:
    raise RuntimeError("the render queue is down")


KEYS_URL = "/developer/api-keys/"


def create_in_console(client: Client, headers: dict[str, str] | None = None, **data: Any) -> Any:
    """POST the console's create form, as a browser that loaded it would (with a fresh
    single-use form token); ``data`` overrides the fields."""
    form: dict[str, Any] = {
        "name": "Render server",
        "environment": "test",
        "scopes": ["generate", "read"],
        "form_token": secrets.token_urlsafe(18),
    }
    form.update(data)
    return client.post(KEYS_URL, form, headers=headers or {})


T = TypeVar("T")


def all_at_once(jobs: list[Callable[[], T]]) -> list[T | BaseException]:
    """Run each job in its own thread (own database connection), released together."""
    barrier = threading.Barrier(len(jobs))
    results: list[T | BaseException] = [RuntimeError("did not finish")] * len(jobs)

    def run(index: int, job: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except BaseException as exc:  # reported through results, asserted by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results
