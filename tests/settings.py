"""Test settings: the project's settings with fast hashing and test-only secrets.

DATABASE_URL / REDIS_URL still select PostgreSQL and Redis, so the same suite runs on
both legs of CI.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")
# Each pytest-xdist worker keeps its own cache keys in a shared Redis; the gunicorn servers
# it starts inherit both variables, so they read and write the same keys. Set, not
# defaulted: the workers inherit the controller's environment, its prefix included.
os.environ["CACHE_KEY_PREFIX"] = f"clipia-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"

from clipia_console.settings import *  # noqa: E402,F403

# Browser tests talk plain HTTP to a live server on localhost.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Cheap Argon2 for tests: same algorithm and code path, a fraction of the cost. The
# production parameters are exercised by the rehash tests and by `make bench`.
APIKEYS_ARGON2_TIME_COST = 1
APIKEYS_ARGON2_MEMORY_COST_KIB = 1024

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files from the finders, as in development: the live server of the browser
# tests needs them and there is no collectstatic run before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Budget notices and other emails land in django.core.mail.outbox.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
