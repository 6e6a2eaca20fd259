"""One notice model for everything Clipia tells a key's owner: expiry warnings, a key
revoked after a public report, a budget window at 80 % and 100 %.

A notice is claimed (its row written) in the transaction that decides it; the unique
(key, kind, occasion) constraint makes it go out once however many deciders run at the
same time. It is sent after that transaction commits, and ``sent_at`` says when it was;
the periodic ``sendkeynotices`` retries those still unsent (``notifications.sending``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Notice(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"

    api_key = models.ForeignKey("apikeys.ApiKey", on_delete=models.CASCADE, related_name="notices")
    # What it is about: "expires_in_7_days", "exposed", "budget_80", "budget_100" ...
    kind = models.CharField(max_length=40)
    # Which occasion: the expiry date it warns of, the report's time, the budget window.
    about = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    # Written when claimed, so a retry sends what the decider meant, not today's figures.
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("api_key", "kind", "about"), name="notice_once"),
        )
        indexes = (
            models.Index(
                fields=("created_at",),
                condition=models.Q(sent_at__isnull=True),
                name="notice_unsent",
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} for {self.api_key_id} ({self.about:%Y-%m-%d})"
