"""Typed reads of the environment for the settings module: a bad value stops the start with
ImproperlyConfigured naming the variable, instead of surfacing later as a confusing error.
An empty variable counts as unset. Imports no app code (settings.py may import it)."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured


def is_set(name: str) -> bool:
    return bool(os.environ.get(name))


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
    return int_from_env(name) if is_set(name) else default


def int_from_env(name: str) -> int:
    """The whole number in ``name``, which must be set."""
    value = os.environ[name]
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
