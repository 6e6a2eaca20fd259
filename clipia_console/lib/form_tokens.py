"""Single-use tokens for the create form, so that reloading the create response (which
re-POSTs it without JavaScript) cannot mint a second key with a second secret.

Each rendered form carries a random nonce; a successful create claims it in the cache
(atomically, ``cache.add``) for a day. Nothing about the key is stored, only the nonce.
"""

from __future__ import annotations

import contextlib
import re
import secrets

from django.core.cache import cache

FIELD = "form_token"
TTL_SECONDS = 24 * 60 * 60
_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")

ALREADY_USED = (
    "This form was already used — your key was created and shown once; "
    "create another key if you need one."
)
OUT_OF_DATE = "This form is out of date. Reload the page and try again."


def new() -> str:
    return secrets.token_urlsafe(18)


def is_well_formed(token: str) -> bool:
    return bool(_SHAPE.fullmatch(token))


def claim(token: str) -> bool:
    """True the first time ``token`` is claimed, False for every replay. An unreachable
    cache lets the create through: a possible duplicate key beats no key at all."""
    try:
        return bool(cache.add(_cache_key(token), 1, TTL_SECONDS))
    except Exception:  # whatever error the configured cache backend raises
        return True


def release(token: str) -> None:
    """Give a token back when no key was made after all, so a reload shows the real error."""
    # Whatever error the configured cache backend raises: the token just stays spent.
    with contextlib.suppress(Exception):
        cache.delete(_cache_key(token))


def _cache_key(token: str) -> str:
    return f"console:console-form-token:{token}"
