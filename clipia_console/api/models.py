"""What the /v1 surface itself keeps: idempotency records. The catalog and generations
live in ``clipia_console.generations``, credits in ``clipia_console.billing``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from apikeys import keys


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
