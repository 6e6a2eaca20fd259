"""API keys and their audit trail.

A key's stored form is its public ``lookup_id`` (unique, indexed), an Argon2id hash of the
whole key and a peppered verifier: the key format is documented in ``apikeys.keys``, the
stored form in ``apikeys.hashing``. The plaintext key exists only in the response that
creates it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from django.conf import settings
from django.db import models
from django.utils import timezone

from apikeys import keys
from apikeys.status import ApiKeyQuerySet, KeyStatus
from clipia_console.lib import clock

SCOPES: Final = ("generate", "read")
NAME_MAX_LENGTH: Final = 100
NOTE_MAX_LENGTH: Final = 1000
DEFAULT_SCOPES: Final = SCOPES


# Active or paused: the statuses in which a key still authenticates.
USABLE: Final = frozenset({KeyStatus.ACTIVE, KeyStatus.PAUSED})


class BudgetPeriod(models.TextChoices):
    """A budget's window, in UTC: from midnight, from Monday midnight, from the 1st at
    midnight, or the key's whole life."""

    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    TOTAL = "total", "Total"


class ApiKey(models.Model):
    # Named once, in apikeys.keys; here for the many callers that hold an ApiKey.
    Environment = keys.Environment
    # Not stored: the verifier of the secret this request's key was accepted with (set by
    # apikeys.verification), so a charge can check, under the row's lock, that the secret
    # still works (billing.spending).
    authenticated_verifier: str = ""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    environment = models.CharField(max_length=4, choices=keys.ENVIRONMENT_CHOICES)
    lookup_id = models.CharField(max_length=keys.LOOKUP_ID_LENGTH, unique=True, editable=False)
    hashed_key = models.CharField(max_length=200, editable=False)
    # HMAC of the key under the server's pepper (apikeys.hashing); blank for keys stored
    # before verifiers existed, until their first use.
    verifier = models.CharField(max_length=100, blank=True, editable=False)
    # Space-separated, sorted, like an OAuth scope string: filterable on every database.
    scopes = models.CharField(max_length=100, default=" ".join(DEFAULT_SCOPES))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Spending paused by the owner or staff: the key still reads, it cannot generate.
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
    # Rolling: the key keeps its row and lookup id and gets a new secret; the secret it had
    # before keeps working in these fields until previous_expires_at, or, only if the
    # owner chose so when rolling, sooner once the new secret is in use and the old one has
    # been silent for previous_quiet_after (apikeys.rolling).
    rolled_at = models.DateTimeField(null=True, blank=True, editable=False)
    previous_hashed_key = models.CharField(max_length=200, blank=True, editable=False)
    previous_verifier = models.CharField(max_length=100, blank=True, editable=False)
    previous_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    previous_last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    previous_quiet_after = models.DurationField(null=True, blank=True, editable=False)
    # When the last old secret stopped working, and why: the console's note for a day after.
    secret_retired_at = models.DateTimeField(null=True, blank=True, editable=False)
    secret_retired_reason = models.CharField(max_length=100, blank=True, editable=False)
    # Valid generation requests (POST /v1/models/{model}) per minute that staff allow this
    # key; empty: the environment's default (clipia_console.generations.request_limits).
    generation_rate_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Generation requests per minute; empty for the environment's default.",
    )
    # Spend controls, changed only through apikeys.controls (the budget through
    # clipia_console.billing.budget_settings). No budget
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
        """The key's status at ``now``: the one rule, mirrored by ``status_condition``."""
        if self.revoked_at is not None:
            return KeyStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return KeyStatus.EXPIRED
        if self.paused_at is not None:
            return KeyStatus.PAUSED
        return KeyStatus.ACTIVE

    @property
    def status(self) -> KeyStatus:
        return self.status_at(clock.now())

    def is_usable(self, now: datetime) -> bool:
        """Active or paused at ``now``: the key still authenticates and counts toward its
        owner's cap (``ApiKeyQuerySet.usable``). Revoked and expired are final."""
        return self.status_at(now) in USABLE

    def can_roll(self, now: datetime) -> bool:
        """Whether the key may get a new secret at ``now``: while it is usable."""
        return self.is_usable(now)


class AppendOnlyModel(models.Model):
    """A record of what happened: written once, never changed or deleted one by one
    (an audit trail, a ledger). Bulk deletes still cascade from their owner."""

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError(f"{self._meta.verbose_name_plural} are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{self._meta.verbose_name_plural} are append-only")


class ApiKeyEvent(AppendOnlyModel):
    """Append-only audit trail of what happened to a key, by whom, from where."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        REVOKED = "revoked", "Revoked"
        FIRST_USED = "first_used", "First used"
        ROLLED = "rolled", "Rolled"
        SECRET_RETIRED = "secret_retired", "Old secret retired"
        RENAMED = "renamed", "Name or note changed"
        BUDGET_CHANGED = "budget_changed", "Budget changed"
        MODELS_CHANGED = "models_changed", "Allowed models changed"
        ADDRESSES_CHANGED = "addresses_changed", "Allowed addresses changed"
        PAUSED = "paused", "Paused"
        RESUMED = "resumed", "Resumed"
        LIMIT_CHANGED = "limit_changed", "Request limit changed"

    class ActorKind(models.TextChoices):
        OWNER = "owner", "Owner"
        STAFF = "staff", "Staff"
        COMMAND = "command", "Command"
        API = "api", "API request"
        # Someone who found the key in public and sent it to POST /v1/keys/revoke.
        REPORT = "report", "Public report"

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
    # Why, in a few words, where the kind alone does not say: "went quiet", "grace ended".
    reason = models.CharField(max_length=200, blank=True)
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

    @property
    def actor_description(self) -> str:
        if self.actor_id is not None and self.actor is not None:
            return f"{self.get_actor_kind_display().lower()} {self.actor.get_username()}"
        return self.actor_label or self.get_actor_kind_display().lower()
