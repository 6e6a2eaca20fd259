"""API keys and their audit trail.

A key's stored form is its public ``lookup_id`` (unique, indexed) plus an Argon2id hash of
the whole key; the key format is documented in ``apikeys.keys`` and the hash in
``apikeys.hashing``. The plaintext key exists only in the response that creates it.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, Final

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.utils import timezone

from apikeys import keys

SCOPES: Final = ("generate", "read")
NAME_MAX_LENGTH: Final = 100
DEFAULT_SCOPES: Final = SCOPES


# What the request path reads of a key (authentication's checks and what /v1 views show)
# and of its owner, in one indexed lookup. Nothing else is fetched or built.
AUTHENTICATION_KEY_FIELDS: Final = (
    "id",
    "owner_id",
    "lookup_id",
    "environment",
    "name",
    "scopes",
    "hashed_key",
    "revoked_at",
    "paused_at",
    "expires_at",
    "last_used_at",
    # Spend controls (clipia_console.billing): headers, /v1/key and the address check read
    # them from this same row.
    "created_at",
    "budget_credits",
    "budget_period",
    "budget_window_start",
    "budget_spent",
    "allowed_models",
    "allowed_ips",
)
AUTHENTICATION_OWNER_FIELDS: Final = ("id", "username", "is_active")
# Stands in for the lookup id while the ORM compiles the statement; 12 characters like one.
_LOOKUP_PLACEHOLDER: Final = "?" * keys.LOOKUP_ID_LENGTH


class KeyStatus(models.TextChoices):
    """What a key is now. Decided in one place, ``ApiKey.status_at`` (and, for querysets,
    ``ApiKeyQuerySet.with_status``); authentication, the console, the admin and the
    commands all read it from there. Revoked wins over expired, expired over paused: a key
    is in exactly one state."""

    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


def status_condition(*statuses: KeyStatus, now: datetime | None = None) -> Q:
    """Keys whose ``ApiKey.status_at(now)`` is one of ``statuses``: the same rule, as SQL."""
    now = now or timezone.now()
    not_expired = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    conditions = {
        KeyStatus.REVOKED: Q(revoked_at__isnull=False),
        KeyStatus.EXPIRED: Q(revoked_at__isnull=True, expires_at__lte=now),
        KeyStatus.PAUSED: Q(not_expired, revoked_at__isnull=True, paused_at__isnull=False),
        KeyStatus.ACTIVE: Q(not_expired, revoked_at__isnull=True, paused_at__isnull=True),
    }
    where = Q(pk__in=[])
    for status in statuses:
        where |= conditions[status]
    return where


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        """Keys that can still authenticate (active or paused): what counts toward the
        per-account cap. Revoked and expired keys are final."""
        return self.with_status(KeyStatus.ACTIVE, KeyStatus.PAUSED)

    def with_status(self, *statuses: KeyStatus, now: datetime | None = None) -> ApiKeyQuerySet:
        return self.filter(status_condition(*statuses, now=now))

    def for_authentication(self, lookup_id: str) -> ApiKey | None:
        """The request path's one query: the key with ``lookup_id`` and its owner, through
        the unique index on lookup_id and the owner's primary key, or None.

        The ORM writes the SQL (so it is right for every backend) once per database
        connection; each request then only executes it and builds two partial model
        instances. Compiling a query costs Django several times what this index probe
        costs the database, and this runs on every /v1 request. The instances are the
        same as ``select_related("owner").only(...)`` would build: unfetched fields are
        deferred and load on access. It runs its own statement, so it refuses to pretend
        to honour filters: call it on ``ApiKey.objects``.
        """
        if self.query.where:
            raise TypeError("for_authentication() ignores filters: call it on ApiKey.objects")
        connection = connections[self.db]
        statement = _authentication_statement(connection)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, [lookup_id])
            row = cursor.fetchone()
        if row is None:
            return None
        values = statement.convert(row)
        split = len(statement.key_fields)
        api_key = self.model.from_db(self.db, statement.key_fields, values[:split])
        owner = get_user_model().from_db(self.db, statement.owner_fields, values[split:])
        # What select_related does: the owner is cached on the key, no second query.
        ApiKey.owner.field.set_cached_value(api_key, owner)
        return api_key


class _AuthenticationStatement:
    """The compiled lookup and its column converters (SQLite, for one, returns datetimes
    as text), for one database connection."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        # Model.from_db takes values in the model's field order, so select in that order.
        self.key_fields = _in_model_order(ApiKey, AUTHENTICATION_KEY_FIELDS)
        self.owner_fields = _in_model_order(get_user_model(), AUTHENTICATION_OWNER_FIELDS)
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
        if not self._converters:
            return list(row)
        return list(next(iter(self._compiler.apply_converters([row], self._converters))))


def _in_model_order(model: type[models.Model], names: tuple[str, ...]) -> list[str]:
    ordered = [field.attname for field in model._meta.concrete_fields if field.attname in names]
    if len(ordered) != len(names):
        raise RuntimeError(f"{model.__name__} lacks some of {names!r}")
    return ordered


# Per thread, like Django's connections; a statement never outlives its connection's thread.
_statements = threading.local()


def _authentication_statement(connection: BaseDatabaseWrapper) -> _AuthenticationStatement:
    cached: dict[str, _AuthenticationStatement] = _statements.__dict__.setdefault("by_alias", {})
    statement = cached.get(connection.alias)
    if statement is None or statement.connection is not connection:
        statement = cached[connection.alias] = _AuthenticationStatement(connection)
    return statement


class BudgetPeriod(models.TextChoices):
    """A budget's window, in UTC: from midnight, from Monday midnight, from the 1st at
    midnight, or the key's whole life."""

    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    TOTAL = "total", "Total"


class ApiKey(models.Model):
    class Environment(models.TextChoices):
        LIVE = "live", "Live"
        TEST = "test", "Test"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    environment = models.CharField(max_length=4, choices=Environment.choices)
    lookup_id = models.CharField(max_length=keys.LOOKUP_ID_LENGTH, unique=True, editable=False)
    hashed_key = models.CharField(max_length=200, editable=False)
    # Space-separated, sorted, like an OAuth scope string: filterable on every database.
    scopes = models.CharField(max_length=100, default=" ".join(DEFAULT_SCOPES))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Spending paused by the owner or staff: the key still reads, it cannot generate.
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Spend controls, changed only through clipia_console.billing.key_settings. No budget
    # (null) leaves the account balance as the only limit. budget_spent is what the window
    # starting at budget_window_start has spent, kept by the charge's conditional update
    # (clipia_console.billing.spending), so a request reads it from this row.
    budget_credits = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    budget_period = models.CharField(
        max_length=5, choices=BudgetPeriod.choices, default=BudgetPeriod.MONTH, editable=False
    )
    budget_window_start = models.DateTimeField(null=True, blank=True, editable=False)
    budget_spent = models.PositiveBigIntegerField(default=0, editable=False)
    # Model ids this key may generate with, or null for all.
    allowed_models = models.JSONField(null=True, blank=True, editable=False)
    # Client addresses (IPs or CIDRs, v4 or v6) this key works from, or null for anywhere.
    allowed_ips = models.JSONField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("owner", "-created_at"), name="apikey_owner_created"),)
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix}…)"

    @property
    def display_prefix(self) -> str:
        return keys.display_prefix(self.environment, self.lookup_id)

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes.split()

    def status_at(self, now: datetime) -> KeyStatus:
        """The key's status at ``now``: the one rule, mirrored by ``with_status``."""
        if self.revoked_at is not None:
            return KeyStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return KeyStatus.EXPIRED
        if self.paused_at is not None:
            return KeyStatus.PAUSED
        return KeyStatus.ACTIVE

    @property
    def status(self) -> KeyStatus:
        return self.status_at(timezone.now())


class ApiKeyEvent(models.Model):
    """Append-only audit trail of what happened to a key, by whom, from where."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        REVOKED = "revoked", "Revoked"
        FIRST_USED = "first_used", "First used"
        BUDGET_CHANGED = "budget_changed", "Budget changed"
        MODELS_CHANGED = "models_changed", "Allowed models changed"
        ADDRESSES_CHANGED = "addresses_changed", "Allowed addresses changed"
        PAUSED = "paused", "Paused"
        RESUMED = "resumed", "Resumed"

    class ActorKind(models.TextChoices):
        OWNER = "owner", "Owner"
        STAFF = "staff", "Staff"
        COMMAND = "command", "Command"
        API = "api", "API request"

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the actor was when no user stands for it, e.g. "manage.py revokeapikey".
    actor_label = models.CharField(max_length=100, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    # What changed, for settings changes: {"old": …, "new": …}.
    details = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("api_key", "kind"), name="apikeyevent_key_kind"),)
        verbose_name = "API key event"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor_description}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("API key events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("API key events are append-only")

    @property
    def actor_description(self) -> str:
        if self.actor_id is not None and self.actor is not None:
            return f"{self.get_actor_kind_display().lower()} {self.actor.get_username()}"
        return self.actor_label or self.get_actor_kind_display().lower()
