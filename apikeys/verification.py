"""The request path: how a request's API key is accepted or refused, top to bottom.

    extract_key       the one credential the request carries: Bearer, Key or X-Api-Key
    keys.parse_key    format and checksum: garbage stops here, before the database
    lookup            one indexed query: the key's row and its owner
    verify_secret     one HMAC against the stored verifier(s) (see apikeys.hashing): the
                      key's secret, or a rolled key's old one in its grace (apikeys.rolling)
    _check_status     revoked, expired, inactive owner: refused; paused: accepted
    _note_use         last_used_at and its address, at most once per minute per key

The policy, once: a wrong secret costs one HMAC and answers the same 401 whether its key
id is active, revoked, expired or unknown, so nothing tells ids apart and no limit on
wrong secrets is needed that could lock a key's owner out. The status is checked only
after the secret, so only a caller holding the complete, correct key can learn that it
expired. Argon2id runs only to re-derive a verifier (a key stored before verifiers, or a
retired pepper): once per key, behind the slow-verification rate limit. Revocation and
expiry come from the row read on every request, never from anything a process remembers.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DEFERRED
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from apikeys import audit, conf, hashing, keys, rolling
from apikeys.models import ApiKey, ApiKeyEvent, KeyStatus
from clipia_console.lib import client_address as client
from clipia_console.lib import clock, ratelimit

logger = logging.getLogger(__name__)

# Far longer than any key: refuse pathological header values without looking further.
MAX_CREDENTIAL_LENGTH: Final = 256
_SCHEMES: Final = frozenset({"bearer", "key"})


class InvalidApiKey(Exception):
    """Missing, malformed, unknown, wrong, revoked or expired key, or inactive owner:
    deliberately one error. ``expired_at`` is set only for the complete, correct key of
    an expired key, the one case whose holder may be told why."""

    def __init__(self, *, expired_at: datetime | None = None) -> None:
        super().__init__("invalid API key")
        self.expired_at = expired_at


class ConflictingCredentials(Exception):
    """Two credentials in one request (two headers, whatever their kind)."""


class VerificationRateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many slow verifications; retry after {retry_after}s")
        self.retry_after = retry_after


# Should anything fail unexpectedly here, error reports (the DEBUG page, error emails) list
# each frame's locals: star the key out of them.
class Caller:
    """Where a request comes from, read only if needed (noting a use once a minute, the
    Argon2id path): parsing the address is work most requests never need."""

    def __init__(self, request: HttpRequest | None = None, address: str | None = None) -> None:
        self._request = request
        self._address = address

    @functools.cached_property
    def address(self) -> str | None:
        if self._request is None:
            return self._address
        return client.client_address(self._request)


@sensitive_variables("raw_key", "parsed")
def authenticate_request(request: HttpRequest) -> ApiKey | None:
    """The key this request carries, with its owner loaded; None if it carries no
    credential of ours (so another authentication may try). Raises InvalidApiKey,
    ConflictingCredentials or VerificationRateLimited."""
    raw_key = extract_key(request.META)
    if raw_key is None:
        return None
    return authenticate_key(raw_key, caller=Caller(request))


@sensitive_variables("raw_key", "parsed")
def authenticate_key(
    raw_key: str, *, client_address: str | None = None, caller: Caller | None = None
) -> ApiKey:
    """The usable key (active or paused) that ``raw_key`` is, or InvalidApiKey. The
    caller's address comes as ``client_address`` or, read when needed, ``caller``."""
    caller = caller or Caller(address=client_address)
    parsed = keys.parse_key(raw_key)
    if parsed is None:
        raise InvalidApiKey  # mistyped, truncated or made up: no query, no hash
    api_key = lookup(parsed.lookup_id)
    if api_key is None:
        hashing.check((), parsed.raw)  # the same HMAC a known id costs
        raise InvalidApiKey
    now = clock.now()
    secret = verify_secret(api_key, parsed, caller, now)
    _check_status(api_key, now)
    _note_use(api_key, secret, caller, now)
    return api_key


def extract_key(meta: dict[str, Any]) -> str | None:
    """The one key a request's headers (``request.META``) carry, or None if they carry no
    credential of ours: no X-Api-Key, and no Bearer/Key token that starts with
    ``clipia_``. InvalidApiKey for a malformed credential of ours, ConflictingCredentials
    for an X-Api-Key beside any Authorization. Never echoes a credential."""
    authorization = str(meta.get("HTTP_AUTHORIZATION", "")).strip()
    x_api_key = meta.get("HTTP_X_API_KEY")
    scheme, _, credential = authorization.partition(" ")
    if x_api_key is not None:
        x_api_key = _checked(str(x_api_key).strip())
        if authorization and credential.strip() != x_api_key:
            # Even beside a scheme that is not ours: which would the caller mean?
            raise ConflictingCredentials
        return x_api_key
    scheme, credential = scheme.lower(), credential.strip()
    if scheme not in _SCHEMES:
        return None
    if scheme == "bearer" and credential and not credential.startswith(keys.KEY_NAMESPACE):
        return None  # someone else's bearer token
    return _checked(credential)


def _checked(credential: str) -> str:
    if not credential or len(credential) > MAX_CREDENTIAL_LENGTH or " " in credential:
        raise InvalidApiKey
    return credential


# What the request path reads of a key (the checks below and what /v1 views show) and of
# its owner, in one indexed lookup. Nothing else is fetched or built: not the lookup id,
# which the caller sent, nor the Argon2id hashes, which only the rare slow path reads
# (and then loads). Each column costs every request a little.
KEY_FIELDS: Final = (
    "id",
    "owner_id",
    "environment",
    "name",
    "scopes",
    "verifier",
    "revoked_at",
    "paused_at",
    "expires_at",
    "last_used_at",
    "generation_rate_limit",
    "rolled_at",
    "previous_verifier",
    "previous_expires_at",
    "previous_last_used_at",
    # Spend controls (clipia_console.billing): the headers, /v1/key and the address check
    # read them from this same row.
    "created_at",
    "budget_credits",
    "budget_period",
    "budget_window_start",
    "budget_spent",
    "allowed_models",
    "allowed_ips",
)
OWNER_FIELDS: Final = ("id", "username", "is_active")


def lookup(lookup_id: str, *, using: str | None = None) -> ApiKey | None:
    """The key with ``lookup_id`` and its owner, through the unique index on lookup_id and
    the owner's primary key, or None.

    The ORM writes the SQL (so it is right for every backend) once per database connection;
    each request then only executes it and builds two partial model instances, as
    ``select_related("owner").only(...)`` would (unfetched fields load on access).
    Compiling a query costs Django several times what the index probe costs the database.
    """
    alias = using or router.db_for_read(ApiKey)
    connection = connections[alias]
    statement = _statement(connection)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [lookup_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = statement.convert(row)
    split = len(statement.key_fields)
    api_key: ApiKey = statement.key.build(alias, values[:split])
    api_key.lookup_id = lookup_id  # what the query matched on, not fetched again
    owner = statement.owner.build(alias, values[split:])
    ApiKey.owner.field.set_cached_value(api_key, owner)  # what select_related does
    return api_key


CURRENT: Final = "current"
PREVIOUS: Final = "previous"


@sensitive_variables("parsed")
def verify_secret(api_key: ApiKey, parsed: keys.ParsedKey, caller: Caller, now: datetime) -> str:
    """Which of the key's secrets ``parsed`` is: CURRENT, or PREVIOUS (a rolled key's old
    secret, while it still works); InvalidApiKey for neither. One HMAC either way."""
    slots = [CURRENT]
    if rolling.previous_works(api_key, now):
        slots.append(PREVIOUS)
    verifiers = tuple(getattr(api_key, _VERIFIER_FIELDS[slot]) for slot in slots)
    index, verdict = hashing.check(verifiers, parsed.raw)
    if verdict is hashing.Verdict.MISMATCH or api_key.environment != parsed.environment:
        raise InvalidApiKey
    slot = slots[index]
    if verdict is hashing.Verdict.UNVERIFIABLE:
        _verify_with_argon2(api_key, slot, parsed, caller.address)
    elif verdict is hashing.Verdict.MATCH_NEEDS_NEW_VERIFIER:
        _store_verifier(api_key, slot, parsed.raw)
    return slot


_VERIFIER_FIELDS: Final = {CURRENT: "verifier", PREVIOUS: "previous_verifier"}
_HASH_FIELDS: Final = {CURRENT: "hashed_key", PREVIOUS: "previous_hashed_key"}


@sensitive_variables("parsed")
def _verify_with_argon2(
    api_key: ApiKey, slot: str, parsed: keys.ParsedKey, client_address: str | None
) -> None:
    """The once-per-key slow path: Argon2id, counted before it runs so that a flood cannot
    turn it into a denial of service; a right secret gives its count back and leaves a
    verifier behind, so the key never comes here again."""
    retry_after = ratelimit.slow_verification_retry_after(api_key.lookup_id, client_address)
    if retry_after is not None:
        raise VerificationRateLimited(retry_after)
    field = _HASH_FIELDS[slot]
    stored_hash = getattr(api_key, field)  # not read by the lookup: rare enough to load here
    if not hashing.verify_slow(stored_hash, parsed.raw):
        raise InvalidApiKey
    ratelimit.verification_succeeded(api_key.lookup_id, client_address)
    if hashing.needs_rehash(stored_hash):
        new_hash = hashing.hash_key(parsed.raw)
        # Conditional on the old hash, so a concurrent upgrade in another worker wins cleanly.
        ApiKey.objects.filter(pk=api_key.pk, **{field: stored_hash}).update(**{field: new_hash})
        setattr(api_key, field, new_hash)
    _store_verifier(api_key, slot, parsed.raw)


@sensitive_variables("raw_key")
def _store_verifier(api_key: ApiKey, slot: str, raw_key: str) -> None:
    field = _VERIFIER_FIELDS[slot]
    new_verifier = hashing.make_verifier(raw_key)
    ApiKey.objects.filter(pk=api_key.pk, **{field: getattr(api_key, field)}).update(
        **{field: new_verifier}
    )
    setattr(api_key, field, new_verifier)


def _check_status(api_key: ApiKey, now: datetime) -> None:
    status = api_key.status_at(now)
    if status is KeyStatus.EXPIRED:
        raise InvalidApiKey(expired_at=api_key.expires_at)
    if status is KeyStatus.REVOKED or not api_key.owner.is_active:
        raise InvalidApiKey


def _note_use(api_key: ApiKey, secret: str, caller: Caller, now: datetime) -> None:
    """Move last_used_at (and its address; for a rolled key's old secret,
    previous_last_used_at) forward at most once per resolution window, so a busy key costs
    no write per request; audit the first use. Never fails or holds up the request: a row
    someone else holds (a revoke in flight, another worker noting the same use) is
    skipped, and the next request notes the use instead."""
    resolution = timedelta(seconds=int(conf.get("APIKEYS_LAST_USED_RESOLUTION_SECONDS")))
    field = "last_used_at" if secret == CURRENT else "previous_last_used_at"
    last = getattr(api_key, field)
    if last is not None and now - last < resolution:
        return
    stale = (
        models.Q(**{f"{field}__isnull": True})
        if last is None
        else models.Q(**{f"{field}__lt": now - resolution})
    )
    changes: dict[str, Any] = {field: now}
    if secret == CURRENT:
        changes["last_used_address"] = caller.address
    # FOR UPDATE SKIP LOCKED where the database has it; SQLite, whose writers share one
    # lock, fails at once instead (_without_lock_waits).
    unlocked = ApiKey.objects.filter(pk=api_key.pk).order_by().select_for_update(skip_locked=True)
    try:
        with _without_lock_waits(), transaction.atomic():
            updated = ApiKey.objects.filter(stale, pk__in=unlocked.values("pk")).update(**changes)
            if updated and last is None and secret == CURRENT:
                audit.record(api_key, ApiKeyEvent.Kind.FIRST_USED, audit.Actor.api(caller.address))
    except DatabaseError:
        # Expected now and then under SQLite write contention, hence info, not warning.
        logger.info("could not record api key use", extra={"key_prefix": api_key.display_prefix})
        return
    setattr(api_key, field, now)


@contextmanager
def _without_lock_waits() -> Iterator[None]:
    """On SQLite, fail at once ("database is locked") instead of waiting up to
    OPTIONS["timeout"] for the database's one write lock. Other databases skip locked rows
    instead (see _note_use)."""
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


# The compiled lookup. Stands in for the lookup id while the ORM compiles the statement.
_LOOKUP_PLACEHOLDER: Final = "?" * keys.LOOKUP_ID_LENGTH


class _Statement:
    """The lookup's SQL and its column converters (SQLite, for one, returns datetimes as
    text), for one database connection."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        # Model.from_db takes values in the model's field order, so select in that order.
        self.key = _Partial(ApiKey, KEY_FIELDS)
        self.owner = _Partial(get_user_model(), OWNER_FIELDS)
        self.key_fields, self.owner_fields = self.key.fields, self.owner.fields
        columns = [*self.key_fields, *(f"owner__{name}" for name in self.owner_fields)]
        queryset = (
            ApiKey.objects.filter(lookup_id=_LOOKUP_PLACEHOLDER).values_list(*columns).order_by()
        )
        compiler = queryset[:1].query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if list(params) != [_LOOKUP_PLACEHOLDER]:
            raise RuntimeError(f"unexpected parameters in the authentication query: {params!r}")
        self.connection = connection
        self.sql = sql
        self._compiler = compiler
        self._converters = compiler.get_converters([column for column, _, _ in compiler.select])

    def convert(self, row: tuple[Any, ...]) -> list[Any]:
        """The row through the backend's converters, as the ORM would, but skipping the
        columns that are NULL (most of a key's optional fields): no converter turns NULL
        into anything else, and this runs on every request."""
        values = list(row)
        for position, (converters, expression) in self._converters.items():
            value = values[position]
            if value is None:
                continue
            for converter in converters:
                value = converter(value, expression, self.connection)
            values[position] = value
        return values


class _Partial:
    """Builds a model instance from some of its fields, as ``Model.from_db`` does, from a
    list already laid out like the model's fields (unfetched ones DEFERRED): from_db would
    otherwise search the field names for each of the model's fields on every request."""

    def __init__(self, model: type[models.Model], names: tuple[str, ...]) -> None:
        concrete = [field.attname for field in model._meta.concrete_fields]
        self.fields = [name for name in concrete if name in names]
        if len(self.fields) != len(names):
            raise RuntimeError(f"{model.__name__} lacks some of {names!r}")
        self.model = model
        self._positions = [concrete.index(name) for name in self.fields]
        self._template: list[Any] = [DEFERRED] * len(concrete)

    def build(self, alias: str, values: list[Any]) -> Any:
        laid_out = self._template.copy()
        for position, value in zip(self._positions, values, strict=True):
            laid_out[position] = value
        return self.model.from_db(alias, self.fields, laid_out)


# Per thread, like Django's connections; a statement never outlives its connection.
_statements = threading.local()


def _statement(connection: BaseDatabaseWrapper) -> _Statement:
    cached: dict[str, _Statement] = _statements.__dict__.setdefault("by_alias", {})
    statement = cached.get(connection.alias)
    if statement is None or statement.connection is not connection:
        statement = cached[connection.alias] = _Statement(connection)
    return statement
