"""Benchmark settings: the production settings (production Argon2 parameters included) plus
DRF's TokenAuthentication and the benchmark-only URLs, so that production stays clean.

DATABASE_URL / SQLITE_PATH / REDIS_URL select the backends exactly as in production;
bench/run.py points them at throwaway databases.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production")

from clipia_console.settings import *  # noqa: E402,F403
from clipia_console.settings import INSTALLED_APPS, LOGGING  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework.authtoken"]
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

# The benchmark measures what a verification costs, not the limiter refusing it: the
# limiter still runs (its cache writes are part of the cold path), it just never trips.
APIKEYS_SLOW_VERIFY_LIMIT_PER_ADDRESS = 10**9

# No static files are served by the benchmark; the manifest storage would want collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Keep per-request log lines (django.request's "Unauthorized: …" for every 401) out of the
# output; they would also add the same terminal write to each refused variant.
LOGGING = {
    **LOGGING,
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Nothing is collected for the benchmark; without this whitenoise warns at every start.
STATIC_ROOT = None  # type: ignore[assignment]  # Django's own default

# BENCH_CONN_HEALTH_CHECKS=false turns off the per-request connection check (a `SELECT 1`
# round trip before each request's first query on PostgreSQL) to show what authentication
# itself costs; production keeps it on. docs/benchmarks.md reports both.
if os.environ.get("BENCH_CONN_HEALTH_CHECKS", "").lower() == "false":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
