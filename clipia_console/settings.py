"""Django settings for the Clipia console. Every knob an operator may turn is read from the
environment here, in one place, with its default; README.md lists them all.

Embedded default: SQLite and an in-process cache, nothing else to install.
Scale-out: DATABASE_URL (PostgreSQL) and REDIS_URL (Redis) switch the backends.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from apikeys.conf import DEFAULTS as APIKEYS_DEFAULTS

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DEBUG is off (make run turns DEBUG on)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"
# Old secret keys, comma-separated, while rotating: sessions and API key verifiers made
# with them keep working (verifiers are re-derived with the new key on use).
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_htmx",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "clipia_console.accounts",
    "apikeys",
    "clipia_console.billing",
    "clipia_console.generations",
    "clipia_console.notifications",
    "clipia_console.api",
    "clipia_console.console",
    "clipia_console.staff",
    "clipia_console.docs",
]

MIDDLEWARE = [
    # First, so that every /v1 answer, other middleware's included, gets its headers.
    "clipia_console.api.headers.ApiResponseHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clipia_console.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "clipia_console.api.middleware.ApiBodyLimitMiddleware",
    "clipia_console.api.middleware.ApiOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "clipia_console.urls"
WSGI_APPLICATION = "clipia_console.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite next to the code unless DATABASE_URL says otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # An unreachable database must fail a request in seconds (503), not hang a worker
        # for the operating system's TCP timeout.
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
            "DATABASE_CONNECT_TIMEOUT", 5
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
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
    }

# Cache: Redis when REDIS_URL is set (shared by every worker and host), else per process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "clipia"),
            # The cache holds the rate limits' counters (apikeys.ratelimit), a millisecond's
            # work for a healthy Redis. One that stops answering costs one short timeout:
            # then each process counts in process for APIKEYS_RATELIMIT_CACHE_RETRY_SECONDS.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/developer/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Production hardening, on whenever DEBUG is off. DJANGO_SECURE_COOKIES=false and
# DJANGO_HSTS_SECONDS=0 serve plain-HTTP staging setups.
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS redirects are usually the proxy's job; DJANGO_SSL_REDIRECT=true makes them ours.
# Load balancers probe /healthz over plain HTTP, so it never redirects.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apikeys.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "apikeys.permissions.FromAllowedAddress",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["clipia_console.api.parsers.BoundedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "clipia_console.api.negotiation.AlwaysJSON",
    "EXCEPTION_HANDLER": "clipia_console.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The OpenAPI description of /v1 (GET /v1/openapi.json, docs/openapi.json); what the views
# do not say themselves lives in clipia_console/api/schema*.py and openapi_*.py.
SPECTACULAR_SETTINGS = {
    "TITLE": "Clipia API",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/v1",
    "PREPROCESSING_HOOKS": ["clipia_console.api.openapi.view.documented_endpoints"],
    "POSTPROCESSING_HOOKS": ["clipia_console.api.openapi.view.finish"],
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

# The /v1 API.
CLIPIA_API_MAX_BODY_BYTES = env_int("CLIPIA_API_MAX_BODY_BYTES", 64 * 1024)
# Valid generation requests (POST /v1/models/{model}) one key may send per minute, by the
# key's environment, unless staff set the key's own ApiKey.generation_rate_limit. Shared by
# every worker through the cache (Redis); past it, 429 rate_limited.
CLIPIA_GENERATION_LIMIT_PER_MINUTE_LIVE = env_int("CLIPIA_GENERATION_LIMIT_PER_MINUTE_LIVE", 60)
CLIPIA_GENERATION_LIMIT_PER_MINUTE_TEST = env_int("CLIPIA_GENERATION_LIMIT_PER_MINUTE_TEST", 20)
# Sandbox (test-key) generations older than this are deleted by manage.py
# purgegenerations; live generations are never purged (the ledger references them).
CLIPIA_SANDBOX_RETENTION_DAYS = env_int("CLIPIA_SANDBOX_RETENTION_DAYS", 30)
CLIPIA_GENERATION_DISPATCHER = os.environ.get(
    "CLIPIA_GENERATION_DISPATCHER", "clipia_console.generations.dispatch.leave_queued"
)


# Email (budget notices; key expiry notices reuse it). EMAIL_URL, if set, says it all:
# smtp://USER:PASSWORD@HOST:PORT (plain), smtp+tls://… (STARTTLS), smtps://… (TLS from
# the start), or console:// (print to stdout). Otherwise EMAIL_HOST and friends, SMTP.
# DEBUG without either prints emails to the console; tests use locmem (tests/settings.py).
def email_settings(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in ("smtp", "smtp+tls", "smtps"):
        raise ImproperlyConfigured(
            "EMAIL_URL must start with smtp://, smtp+tls://, smtps:// or console://, "
            f"not {parts.scheme!r}"
        )
    secure = parts.scheme == "smtps"
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if secure else 587 if parts.scheme == "smtp+tls" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": secure,
    }


if os.environ.get("EMAIL_URL"):
    globals().update(email_settings(os.environ["EMAIL_URL"]))
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Clipia <no-reply@clipia.ai>")

# API keys: each setting in apikeys/conf.py, where its default and the reason for it live,
# can be set from the environment under its own name (APIKEYS_MAX_ACTIVE_KEYS=50 …).
for _name, _default in APIKEYS_DEFAULTS.items():
    if isinstance(_default, int):
        globals()[_name] = env_int(_name, _default)
# The verifier pepper (apikeys/conf.py): unset, it is derived from SECRET_KEY.
APIKEYS_PEPPER = os.environ.get("APIKEYS_PEPPER") or None
APIKEYS_PEPPER_FALLBACKS = env_list("APIKEYS_PEPPER_FALLBACKS", []) if APIKEYS_PEPPER else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
