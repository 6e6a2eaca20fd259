"""The key lifecycle: create, authenticate, revoke. The one place that does these things;
console views, the admin, DRF authentication and management commands all call it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apikeys import conf, hashing, keys, ratelimit
from apikeys.models import NAME_MAX_LENGTH, SCOPES, ApiKey, ApiKeyEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)


# What a person is told about bad input for a new key; the console's and the admin's form
# say the same for what they catch first.
NAME_MISSING = "Give the key a name."
NAME_TOO_LONG = f"Key names are at most {NAME_MAX_LENGTH} characters."
ENVIRONMENT_INVALID = "Choose the live or the test environment."
SCOPES_MISSING = "Choose at least one scope."
SCOPES_ALLOWED = "The allowed scopes are exactly " + " and ".join(SCOPES) + "."


class KeyLifecycleError(Exception):
    """Base for lifecycle errors whose message is safe to show the user."""


class InvalidKeyInput(KeyLifecycleError):
    """Bad name, environment or scopes for a new key; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class KeyLimitReached(KeyLifecycleError):
    pass


class InvalidApiKey(Exception):
    """The key is missing, malformed, unknown, wrong, revoked, expired or its owner is
    inactive. Deliberately one error: callers must not learn which."""


class VerificationRateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many slow verifications; retry after {retry_after}s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something to a key, for the audit trail."""

    kind: str
    user: AbstractBaseUser | None = None
    label: str = ""
    client_address: str | None = None

    @classmethod
    def command(cls, name: str) -> Actor:
        return cls(kind=ApiKeyEvent.ActorKind.COMMAND, label=f"manage.py {name}")

    @classmethod
    def person(cls, user: AbstractBaseUser, *, owner_id: int, client_address: str | None) -> Actor:
        """The signed-in ``user``: the key's owner, or staff acting for the owner."""
        kind = ApiKeyEvent.ActorKind.OWNER if user.pk == owner_id else ApiKeyEvent.ActorKind.STAFF
        return cls(kind=kind, user=user, client_address=client_address)


def normalize_scopes(scopes: Iterable[str]) -> str:
    """The stored scope string for ``scopes``; refuses unknown or no scopes."""
    chosen = {scope.strip() for scope in scopes}
    unknown = sorted(chosen - set(SCOPES))
    if unknown:
        raise InvalidKeyInput("scopes", f"Unknown scope {unknown[0]!r}. {SCOPES_ALLOWED}")
    if not chosen:
        raise InvalidKeyInput("scopes", SCOPES_MISSING)
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
) -> tuple[ApiKey, str]:
    """Create a key for ``owner``. Returns the row and the full key: the only time the full
    key exists outside the caller's request. Callers show it once and drop it."""
    name = name.strip()
    if not name:
        raise InvalidKeyInput("name", NAME_MISSING)
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidKeyInput("name", NAME_TOO_LONG)
    if environment not in keys.ENVIRONMENTS:
        raise InvalidKeyInput("environment", ENVIRONMENT_INVALID)
    scope_string = normalize_scopes(scopes)

    # Hash before taking any lock: Argon2 is the slow part. A lookup id collision needs
    # ~2**35 keys (71 random bits); the unique index would refuse it rather than mix keys.
    lookup_id = keys.generate_lookup_id()
    raw_key = keys.generate_key(environment, lookup_id)  # type: ignore[arg-type]
    hashed = hashing.hash_key(raw_key)

    with transaction.atomic():
        # Serialise creations per owner so concurrent requests cannot overshoot the cap.
        list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values("pk"))
        limit = int(conf.get("APIKEYS_MAX_ACTIVE_KEYS"))
        if ApiKey.objects.active().filter(owner_id=owner.pk).count() >= limit:
            raise KeyLimitReached(
                f"An account can hold at most {limit} active keys. "
                "Revoke a key you no longer use, then create the new one."
            )
        api_key = ApiKey.objects.create(
            owner_id=owner.pk,
            name=name,
            environment=environment,
            lookup_id=lookup_id,
            hashed_key=hashed,
            scopes=scope_string,
            expires_at=expires_at,
        )
        _record(api_key, ApiKeyEvent.Kind.CREATED, actor)
    # This process just proved the key matches its hash; its first request is warm here.
    hashing.remember(hashed, raw_key)
    logger.info("api key created", extra={"key_prefix": api_key.display_prefix})
    return api_key, raw_key


@sensitive_variables("raw_key", "parsed")
def authenticate_key(raw_key: str | keys.ParsedKey, *, client_address: str | None = None) -> ApiKey:
    """The active key that ``raw_key`` is, with its owner loaded, or InvalidApiKey.
    ``raw_key`` may come already parsed (DRF authentication checks the format first).

    Cost: a format and checksum check (garbage stops here, before the database), one
    indexed query, then either an HMAC (a key this process already verified) or, once per
    key per process, Argon2id behind a rate limit. No write, except last_used_at once per
    resolution window. Revocation, expiry and the owner's state come from the row read
    here, on every request, so they never depend on what this process remembers.
    """
    parsed = raw_key if isinstance(raw_key, keys.ParsedKey) else keys.parse_key(raw_key)
    if parsed is None:
        raise InvalidApiKey
    raw_key = parsed.raw
    api_key = ApiKey.objects.for_authentication(parsed.lookup_id)
    now = _now()
    if (
        api_key is None
        or api_key.environment != parsed.environment
        or api_key.revoked_at is not None
        or (api_key.expires_at is not None and api_key.expires_at <= now)
        or not api_key.owner.is_active
    ):
        raise InvalidApiKey
    known = hashing.check_remembered(api_key.hashed_key, raw_key)
    if known is not True:
        # A wrong secret for a key this process knows costs no Argon2 but counts like one,
        # so a flood gets 429 past the limit on warm and cold workers alike. A right one
        # gives its count back: cold workers verifying a busy key never lock it out.
        retry_after = ratelimit.slow_verification_retry_after(api_key.lookup_id, client_address)
        if retry_after is not None:
            raise VerificationRateLimited(retry_after)
        if known is False or not hashing.verify_slow(api_key.hashed_key, raw_key):
            raise InvalidApiKey
        ratelimit.verification_succeeded(api_key.lookup_id, client_address)
        if hashing.needs_rehash(api_key.hashed_key):
            _upgrade_hash(api_key, raw_key)
    _note_use(api_key, client_address, now)
    return api_key


def revoke_key(api_key: ApiKey, *, actor: Actor) -> bool:
    """Revoke ``api_key`` for good. Idempotent: True if this call revoked it, False if it
    already was. Takes effect on the next request everywhere, since every request reads
    the row."""
    now = timezone.now()
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if revoked:
            _record(api_key, ApiKeyEvent.Kind.REVOKED, actor)
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


@sensitive_variables("raw_key")
def _upgrade_hash(api_key: ApiKey, raw_key: str) -> None:
    new_hash = hashing.hash_key(raw_key)
    # Conditional on the old hash, so a concurrent upgrade in another worker wins cleanly.
    ApiKey.objects.filter(pk=api_key.pk, hashed_key=api_key.hashed_key).update(hashed_key=new_hash)
    api_key.hashed_key = new_hash
    hashing.remember(new_hash, raw_key)


def _now() -> datetime:
    """The clock of the request path; tests move it instead of sleeping."""
    return timezone.now()


def _note_use(api_key: ApiKey, client_address: str | None, now: datetime) -> None:
    """Move last_used_at forward at most once per resolution window, without ever failing
    the request over it; record the first use in the audit trail."""
    resolution = timedelta(seconds=int(conf.get("APIKEYS_LAST_USED_RESOLUTION_SECONDS")))
    last = api_key.last_used_at
    if last is not None and now - last < resolution:
        return
    # Only a row nobody else holds: a revoke in flight or another worker noting the same
    # use is skipped rather than waited for (FOR UPDATE SKIP LOCKED; SQLite ignores it and
    # _without_lock_waits covers it). A skipped write is retried by the next request.
    unlocked = ApiKey.objects.filter(pk=api_key.pk).order_by().select_for_update(skip_locked=True)
    rows = ApiKey.objects.filter(pk__in=unlocked.values("pk"))
    rows = (
        rows.filter(last_used_at__isnull=True)
        if last is None
        else rows.filter(last_used_at__lt=now - resolution)
    )
    try:
        with _without_lock_waits(), transaction.atomic():
            updated = rows.update(last_used_at=now)
            if updated and last is None:
                _record(
                    api_key,
                    ApiKeyEvent.Kind.FIRST_USED,
                    Actor(kind=ApiKeyEvent.ActorKind.API, client_address=client_address),
                )
    except DatabaseError:
        # Contention (SQLite's write lock held by another worker) or an error must not fail
        # or hold up an authenticated request; the next request records the use. Expected
        # now and then under load, hence info rather than warning.
        logger.info("could not record api key use", extra={"key_prefix": api_key.display_prefix})
        return
    api_key.last_used_at = now


@contextmanager
def _without_lock_waits() -> Iterator[None]:
    """On SQLite, whose writers share one database lock, fail at once ("database is
    locked") instead of waiting up to OPTIONS["timeout"] for it: noting a use must never
    hold up the response. Other databases skip locked rows instead (see _note_use)."""
    connection = connections[router.db_for_write(ApiKey)]
    if connection.vendor != "sqlite":
        yield
        return
    # Python's sqlite3 waits 5 seconds unless told otherwise; Django passes OPTIONS on.
    wait_ms = int(float(connection.settings_dict["OPTIONS"].get("timeout", 5)) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {wait_ms}")


def _record(api_key: ApiKey, kind: str, actor: Actor) -> None:
    ApiKeyEvent.objects.create(
        api_key=api_key,
        kind=kind,
        actor_kind=actor.kind,
        actor_id=actor.user.pk if actor.user is not None else None,
        actor_label=actor.label,
        client_address=actor.client_address,
    )
