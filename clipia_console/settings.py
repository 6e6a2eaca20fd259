"""Django settings for the Clipia console: wiring only, no app code imported. Every knob an
operator may turn is read from the environment explicitly, here or in the small modules
below (clipia_console/config/: typed env reads, database and cache, e-mail); README.md lists
them all. The packages' own settings (API keys, client address, rate limits, sign-in) come
from clipia_console/settings_packages.py, set only when their variable is, so that the
default beside each one's reader (the packages' conf.py) applies otherwise.

Embedded default: SQLite and an in-process cache, nothing else to install.
Scale-out: DATABASE_URL (PostgreSQL) and REDIS_URL (Redis) switch the backends.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from clipia_console.config.backends import caches, databases
from clipia_console.config.env import env_bool, env_int, env_list
from clipia_console.config.mail import email_from_env
from clipia_console.settings_packages import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parent.parent

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

# SQLite next to the code and a per-process cache unless these say otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASES = databases(DATABASE_URL, BASE_DIR)
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = caches(REDIS_URL)

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
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["clipia_console.api.parsers.BoundedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "clipia_console.api.negotiation.AlwaysJSON",
    "EXCEPTION_HANDLER": "clipia_console.api.handlers.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The OpenAPI description of /v1 (GET /v1/openapi.json, docs/openapi.json); what the views
# do not say themselves lives in clipia_console/api/openapi/.
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


# E-mail: EMAIL_URL, else EMAIL_HOST and friends (clipia_console/config/mail.py).
_email = email_from_env(DEBUG)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Clipia <no-reply@clipia.ai>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
