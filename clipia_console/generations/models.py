"""The product: the model catalog and the generations customers ask for, charged through
``clipia_console.billing``."""

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
        # The table kept its name when the model moved here from the api app.
        db_table = "api_videomodel"
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
        db_table = "api_generation"
        ordering = ("-created_at",)
        indexes = (
            models.Index(fields=("owner", "environment", "-created_at"), name="gen_owner_env"),
            models.Index(fields=("status",), name="gen_status"),
        )

    def __str__(self) -> str:
        return f"{self.id} ({self.model_id}, {self.status})"
