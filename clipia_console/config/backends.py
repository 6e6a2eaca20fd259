"""The database and the cache, from DATABASE_URL and REDIS_URL: SQLite next to the code
and a per-process cache when they are unset (nothing else to install), PostgreSQL and Redis
when they are set (scale-out). Imports no app code (settings.py may import it)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

from clipia_console.config.env import env_int


def databases(url: str, base_dir: Path) -> dict[str, dict[str, Any]]:
    """Django's DATABASES for ``url``, or for the SQLite file when ``url`` is empty."""
    if not url:
        return {"default": _sqlite(base_dir)}
    database: dict[str, Any] = dict(
        dj_database_url.parse(
            url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    )
    if database["ENGINE"] == "django.db.backends.postgresql":
        # An unreachable database must fail a request in seconds (503), not hang a worker
        # for the operating system's TCP timeout.
        database.setdefault("OPTIONS", {})["connect_timeout"] = env_int(
            "DATABASE_CONNECT_TIMEOUT", 5
        )
    return {"default": database}


def _sqlite(base_dir: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", str(base_dir / "db.sqlite3")),
        # Reopening the file and re-running the PRAGMAs costs ~0.5 ms per request, more
        # than the whole /v1 authentication (docs/benchmarks.md); keep it open as on
        # PostgreSQL.
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
        "OPTIONS": {
            # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at
            # the start of a transaction instead of failing midway under contention.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


def caches(redis_url: str) -> dict[str, dict[str, Any]]:
    """Django's CACHES: Redis at ``redis_url`` (shared by every worker and host), else a
    cache in each process."""
    if not redis_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "clipia"),
            # The cache holds the rate limits' counters (clipia_console.lib.ratelimit), a
            # millisecond's work for a healthy Redis. One that stops answering costs one
            # short timeout: then each process counts in process for
            # APIKEYS_RATELIMIT_CACHE_RETRY_SECONDS.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
