"""Outgoing e-mail (budget notices; key expiry notices reuse it) from the environment.
EMAIL_URL, if set, says it all: smtp://USER:PASSWORD@HOST:PORT (plain), smtp+tls://…
(STARTTLS), smtps://… (TLS from the start), or console:// (print to stdout). Otherwise
EMAIL_HOST and friends, SMTP. DEBUG without either prints e-mails to the console; tests use
locmem (tests/settings.py). Imports no app code (settings.py may import it)."""

from __future__ import annotations

import os
from typing import TypedDict
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from clipia_console.config.env import env_bool, env_int

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"


class EmailSettings(TypedDict, total=False):
    EMAIL_BACKEND: str
    EMAIL_HOST: str
    EMAIL_PORT: int
    EMAIL_HOST_USER: str
    EMAIL_HOST_PASSWORD: str
    EMAIL_USE_TLS: bool
    EMAIL_USE_SSL: bool


# Django's own defaults, for what the environment leaves unsaid.
DJANGO_DEFAULTS = EmailSettings(
    EMAIL_BACKEND=SMTP,
    EMAIL_HOST="localhost",
    EMAIL_PORT=25,
    EMAIL_HOST_USER="",
    EMAIL_HOST_PASSWORD="",
    EMAIL_USE_TLS=False,
    EMAIL_USE_SSL=False,
)


def email_from_env(debug: bool) -> EmailSettings:
    """Every EMAIL_* setting above, from EMAIL_URL, else EMAIL_HOST and friends, else
    Django's defaults (the console backend under DEBUG)."""
    found = DJANGO_DEFAULTS.copy()
    if os.environ.get("EMAIL_URL"):
        found.update(email_settings(os.environ["EMAIL_URL"]))
    elif os.environ.get("EMAIL_HOST"):
        found.update(
            EmailSettings(
                EMAIL_HOST=os.environ["EMAIL_HOST"],
                EMAIL_PORT=env_int("EMAIL_PORT", 25),
                EMAIL_HOST_USER=os.environ.get("EMAIL_HOST_USER", ""),
                EMAIL_HOST_PASSWORD=os.environ.get("EMAIL_HOST_PASSWORD", ""),
                EMAIL_USE_TLS=env_bool("EMAIL_USE_TLS", False),
                EMAIL_USE_SSL=env_bool("EMAIL_USE_SSL", False),
            )
        )
    elif debug:
        found["EMAIL_BACKEND"] = CONSOLE
    return found


def email_settings(url: str) -> EmailSettings:
    """The EMAIL_* settings that EMAIL_URL ``url`` says."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return EmailSettings(EMAIL_BACKEND=CONSOLE)
    if parts.scheme not in ("smtp", "smtp+tls", "smtps"):
        raise ImproperlyConfigured(
            "EMAIL_URL must start with smtp://, smtp+tls://, smtps:// or console://, "
            f"not {parts.scheme!r}"
        )
    secure = parts.scheme == "smtps"
    return EmailSettings(
        EMAIL_BACKEND=SMTP,
        EMAIL_HOST=parts.hostname or "localhost",
        EMAIL_PORT=parts.port or (465 if secure else 587 if parts.scheme == "smtp+tls" else 25),
        EMAIL_HOST_USER=unquote(parts.username or ""),
        EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
        EMAIL_USE_TLS=parts.scheme == "smtp+tls",
        EMAIL_USE_SSL=secure,
    )
