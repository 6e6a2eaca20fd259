"""The key lifecycle: create (with its controls), revoke, find, rename. The one place that
does these things; console views, the admin and management commands all call it, and each
action writes its audit event in its own transaction. Bad input raises Django's
``ValidationError({"field": message})``. (Accepting a key on a request:
apikeys.verification.)"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from apikeys import controls as key_controls
from apikeys import hashing, keys, signals
from apikeys.audit import Actor, record
from apikeys.conf import conf
from apikeys.controls import KeyControls
from apikeys.exceptions import KeyLimitReached
from apikeys.models import NAME_MAX_LENGTH, NOTE_MAX_LENGTH, SCOPES, ApiKey, ApiKeyEvent
from clipia_console.lib import clock

__all__ = ["Actor", "create_key", "find_by_prefix", "normalize_scopes", "revoke_key"]

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)


# What a person is told about bad input for a new key; the console's and the admin's form
# say the same for what they catch first.
NAME_MISSING = "Give the key a name."
NAME_TOO_LONG = f"Key names are at most {NAME_MAX_LENGTH} characters."
NAME_ONE_LINE = "A key name is one line of text, without tabs or other control characters."
ENVIRONMENT_INVALID = "Choose the live or the test environment."
SCOPES_MISSING = "Choose at least one scope."
SCOPES_ALLOWED = "The allowed scopes are exactly " + " and ".join(SCOPES) + "."
EXPIRY_IN_PAST = "Choose an expiry date in the future."
EXPIRY_TOO_FAR = "A key can expire at most a year from now."
# The longest a key may be created for: a key that must live longer is rolled.
MAX_LIFETIME = timedelta(days=366)
NO_CONTROLS = KeyControls()


def normalize_scopes(scopes: Iterable[str]) -> str:
    """The stored scope string for ``scopes``; refuses unknown or no scopes."""
    chosen = {scope.strip() for scope in scopes}
    unknown = sorted(chosen - set(SCOPES))
    if unknown:
        raise ValidationError({"scopes": f"Unknown scope {unknown[0]!r}. {SCOPES_ALLOWED}"})
    if not chosen:
        raise ValidationError({"scopes": SCOPES_MISSING})
    return " ".join(scope for scope in SCOPES if scope in chosen)


# Error reports (the DEBUG page, admin emails) list a failing frame's locals: star the key.
@sensitive_variables("raw_key")
def create_key(
    *,
    owner: AbstractBaseUser,
    name: str,
    environment: str,
    actor: Actor,
    scopes: Iterable[str] = SCOPES,
    expires_at: datetime | None = None,
    controls: KeyControls = NO_CONTROLS,
) -> tuple[ApiKey, str]:
    """Create a key for ``owner`` with its ``controls``, in one transaction: a key with
    everything asked for, or no key. Returns the row and the full key: the only time the
    full key exists outside the caller's request. Callers show it once and drop it."""
    name, chosen_environment, scope_string = _checked(name, environment, scopes, expires_at)
    # Hash before taking any lock: Argon2 is the slow part. A lookup id collision needs
    # ~2**35 keys (71 random bits); the unique index would refuse it rather than mix keys.
    lookup_id = keys.generate_lookup_id()
    raw_key = keys.generate_key(chosen_environment, lookup_id)
    fields = {
        "name": name,
        "environment": chosen_environment,
        "lookup_id": lookup_id,
        "hashed_key": hashing.hash_key(raw_key),
        "verifier": hashing.make_verifier(raw_key),
        "scopes": scope_string,
        "expires_at": expires_at,
    }
    with transaction.atomic():
        api_key = _insert(owner, fields, actor)
        signals.key_created.send(sender=ApiKey, api_key=api_key, controls=controls, actor=actor)
        if controls.allowed_models is not None:
            key_controls.set_allowed_models(api_key, controls.allowed_models, actor=actor)
        if controls.allowed_ips is not None:
            key_controls.set_allowed_ips(api_key, controls.allowed_ips, actor=actor)
    logger.info("api key created", extra={"key_prefix": api_key.display_prefix})
    return api_key, raw_key


def checked_name(name: str) -> str:
    """A key's name, trimmed, or ValidationError: one line of at most NAME_MAX_LENGTH
    characters. Names go into e-mail subjects and staff terminals, where a line break or
    a control character breaks the one and garbles the other."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": NAME_MISSING})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": NAME_TOO_LONG})
    if any(unicodedata.category(char) in _NOT_IN_A_NAME for char in name):
        raise ValidationError({"name": NAME_ONE_LINE})
    return name


# Control characters (line breaks, tabs, escapes) and line/paragraph separators.
_NOT_IN_A_NAME: Final = frozenset({"Cc", "Zl", "Zp"})


def _checked(
    name: str, environment: str, scopes: Iterable[str], expires_at: datetime | None
) -> tuple[str, keys.Environment, str]:
    """A new key's name, environment and scope string, or ValidationError."""
    name = checked_name(name)
    chosen_environment = keys.environment_of(environment)
    if chosen_environment is None:
        raise ValidationError({"environment": ENVIRONMENT_INVALID})
    scope_string = normalize_scopes(scopes)
    if expires_at is not None:
        now = clock.now()
        if expires_at <= now:
            raise ValidationError({"expires_at": EXPIRY_IN_PAST})
        if expires_at > now + MAX_LIFETIME:
            raise ValidationError({"expires_at": EXPIRY_TOO_FAR})
    return name, chosen_environment, scope_string


def _insert(owner: AbstractBaseUser, fields: dict[str, Any], actor: Actor) -> ApiKey:
    # Serialise creations per owner so concurrent requests cannot overshoot the cap.
    list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values("pk"))
    limit = conf.MAX_ACTIVE_KEYS
    if ApiKey.objects.usable().filter(owner_id=owner.pk).count() >= limit:
        raise KeyLimitReached(
            f"An account can hold at most {limit} active keys. "
            "Revoke a key you no longer use, then create the new one."
        )
    api_key = ApiKey.objects.create(owner_id=owner.pk, **fields)
    record(api_key, ApiKeyEvent.Kind.CREATED, actor)
    return api_key


def revoke_key(api_key: ApiKey, *, actor: Actor, reason: str = "") -> bool:
    """Revoke ``api_key`` for good. Idempotent: True if this call revoked it, False if it
    already was. Takes effect on the next request everywhere, since every request reads
    the row; and, an UPDATE of the key's row, it waits for any charge in flight that holds
    that row (clipia_console.billing), so no charge starts after it returns."""
    now = clock.now()
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if revoked:
            record(api_key, ApiKeyEvent.Kind.REVOKED, actor, reason=reason)
    if revoked:
        api_key.revoked_at = now
        logger.info("api key revoked", extra={"key_prefix": api_key.display_prefix})
    else:
        api_key.refresh_from_db(fields=["revoked_at"])
    return bool(revoked)


def find_by_prefix(prefix: str) -> ApiKey | None:
    """The key whose display prefix (``clipia_live_<lookup id>``) or bare lookup id is
    ``prefix``. A full key is accepted too; only its lookup id is used."""
    prefix = prefix.strip()
    lookup_id = keys.lookup_id_in(prefix)
    if lookup_id is None:
        lookup_id = prefix.rstrip("…").rstrip(".")
    if len(lookup_id) != keys.LOOKUP_ID_LENGTH:
        return None
    return ApiKey.objects.filter(lookup_id=lookup_id).select_related("owner").first()


# Changing a key's label and its request limit (the console and the admin call these).

NOTE_TOO_LONG = f"Notes are at most {NOTE_MAX_LENGTH} characters."
# A staff-set generation limit: at least one request a minute (pausing a key is how it
# stops spending), at most what a single key could plausibly need.
MAX_GENERATION_RATE_LIMIT = 10_000
RATE_LIMIT_INVALID = (
    f"A request limit is a whole number of requests per minute from 1 to "
    f"{MAX_GENERATION_RATE_LIMIT}, or empty for the environment's default."
)
# Names quoted in an audit reason are cut to this, so that two of them fit its column.
_REASON_NAME_LENGTH = 85


def update_name_and_note(api_key: ApiKey, *, name: str, note: str, actor: Actor) -> bool:
    """Rename ``api_key`` and set its note; neither touches the secret. True if something
    changed, and then the RENAMED event says old → new for the name."""
    name, note = checked_name(name), note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": NOTE_TOO_LONG})
    with transaction.atomic():
        # Compared with the row as committed, not as the caller last read it.
        current = ApiKey.objects.select_for_update().only("name", "note").get(pk=api_key.pk)
        changes = []
        if current.name != name:
            changes.append(f"“{_shorten(current.name)}” → “{_shorten(name)}”")
        if current.note != note:
            changes.append("note changed")
        if changes:
            ApiKey.objects.filter(pk=api_key.pk).update(name=name, note=note)
            record(current, ApiKeyEvent.Kind.RENAMED, actor, reason="; ".join(changes))
    api_key.name, api_key.note = name, note
    return bool(changes)


def set_generation_rate_limit(api_key: ApiKey, limit: int | None, *, actor: Actor) -> bool:
    """Set ``api_key``'s generation requests per minute (None: its environment's default,
    clipia_console.generations.request_limits). True if it changed; the LIMIT_CHANGED
    event says old → new."""
    if limit is not None and not 1 <= limit <= MAX_GENERATION_RATE_LIMIT:
        raise ValidationError({"generation_rate_limit": RATE_LIMIT_INVALID})
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().only("generation_rate_limit")
        old = locked.get(pk=api_key.pk).generation_rate_limit
        changed = old != limit
        if changed:
            ApiKey.objects.filter(pk=api_key.pk).update(generation_rate_limit=limit)
            reason = f"{_per_minute(old)} → {_per_minute(limit)}"
            record(api_key, ApiKeyEvent.Kind.LIMIT_CHANGED, actor, reason=reason)
    api_key.generation_rate_limit = limit
    return changed


def _shorten(name: str) -> str:
    return name if len(name) <= _REASON_NAME_LENGTH else name[: _REASON_NAME_LENGTH - 1] + "…"


def _per_minute(limit: int | None) -> str:
    return "environment default" if limit is None else f"{limit} per minute"
