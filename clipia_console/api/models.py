"""The model catalog, generations and idempotency records behind the /v1 API. Credits
(accounts, the ledger) live in ``clipia_console.billing``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from apikeys import keys

MODEL_ID_MAX_LENGTH = 100


class VideoModel(models.Model):
    """A generation model in the catalog. Ids look like ``clipia/motion-v1``."""

    id = models.CharField(primary_key=True, max_length=MODEL_ID_MAX_LENGTH)
    name = models.CharField(max_length=100)
    description = models.TextField()
    price_credits = models.PositiveIntegerField()
    max_duration_seconds = models.PositiveSmallIntegerField(default=10)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ("id",)

    def __str__(self) -> str:
        return self.id


class Generation(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="generations"
    )
    api_key = models.ForeignKey(
        "apikeys.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="generations",
    )
    environment = models.CharField(max_length=4, choices=keys.ENVIRONMENT_CHOICES)
    model = models.ForeignKey(VideoModel, on_delete=models.PROTECT, related_name="generations")
    prompt = models.TextField()
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    cost = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The key's budget window this generation was counted in, so a refund gives the
    # credits back to that window and no other.
    budget_window_start = models.DateTimeField(null=True, blank=True, editable=False)
    # When the dispatcher took it; null while a queued live generation waits for one
    # (see the redispatchgenerations command).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = (
            models.Index(fields=("owner", "environment", "-created_at"), name="gen_owner_env"),
            models.Index(fields=("status",), name="gen_status"),
        )

    def __str__(self) -> str:
        return f"{self.id} ({self.model_id}, {self.status})"


class IdempotencyRecord(models.Model):
    """An ``Idempotency-Key`` a customer sent with ``POST /v1/models/{model}``, and what we
    answered, kept 24 hours so a retry gets the same answer without a second charge.

    Scoped to the account and the key's environment. ``fingerprint`` is a SHA-256 of the
    model id and the request body, so the same key with a different request is refused.
    ``status_code`` is null while the first request is in flight; ``claim`` names that
    request, and only it may store the answer (in the transaction that charges).
    """

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    environment = models.CharField(max_length=4, choices=keys.ENVIRONMENT_CHOICES)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    claim = models.UUIDField(default=uuid.uuid4)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The JSON exactly as first rendered, so a replay is byte-for-byte the same answer.
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("account", "environment", "key"), name="idempotency_one_per_key"
            ),
        )
        indexes = (models.Index(fields=("created_at",), name="idempotency_created"),)

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code or 'in flight'})"
