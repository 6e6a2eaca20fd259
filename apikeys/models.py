"""API keys and their audit trail.

A key's stored form is its public ``lookup_id`` (unique, indexed) plus an Argon2id hash of
the whole key; the key format is documented in ``apikeys.keys`` and the hash in
``apikeys.hashing``. The plaintext key exists only in the response that creates it.
"""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.db import models
from django.utils import timezone

from apikeys import keys

SCOPES: Final = ("generate", "read")
DEFAULT_SCOPES: Final = SCOPES


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)

    def for_authentication(self, lookup_id: str) -> ApiKeyQuerySet:
        """The request path's one query: the key row and its owner through the unique
        index on lookup_id, with only the columns authentication and /v1 use."""
        return (
            self.filter(lookup_id=lookup_id)
            .select_related("owner")
            .only(
                "id",
                "lookup_id",
                "environment",
                "name",
                "scopes",
                "hashed_key",
                "revoked_at",
                "expires_at",
                "last_used_at",
                "owner__id",
                "owner__username",
                "owner__is_active",
            )
        )


class ApiKey(models.Model):
    class Environment(models.TextChoices):
        LIVE = "live", "Live"
        TEST = "test", "Test"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    environment = models.CharField(max_length=4, choices=Environment.choices)
    lookup_id = models.CharField(max_length=keys.LOOKUP_ID_LENGTH, unique=True, editable=False)
    hashed_key = models.CharField(max_length=200, editable=False)
    # Space-separated, sorted, like an OAuth scope string: filterable on every database.
    scopes = models.CharField(max_length=100, default=" ".join(DEFAULT_SCOPES))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

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

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired


class ApiKeyEvent(models.Model):
    """Append-only audit trail of what happened to a key, by whom, from where."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        REVOKED = "revoked", "Revoked"
        FIRST_USED = "first_used", "First used"

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
