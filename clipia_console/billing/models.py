"""Money's records: accounts, their append-only ledger, and per-day usage totals. Every
change of a balance goes through ``clipia_console.billing.credits``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from apikeys.models import AppendOnlyModel


class Account(models.Model):
    """A user's credit balance. The user is the account; the row appears on first grant.

    The balance always equals the sum of the account's ledger entries: every change goes
    through ``clipia_console.billing.credits``, which writes both in one transaction.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="credit_account",
    )
    balance = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table kept its name when the model moved here from the api app.
        db_table = "api_account"
        constraints = (
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="account_balance_never_negative"
            ),
        )

    def __str__(self) -> str:
        return f"{self.user} ({self.balance} credits)"


class LedgerEntry(AppendOnlyModel):
    """Append-only: one row per change of a balance, signed."""

    class Kind(models.TextChoices):
        GRANT = "grant", "Grant"
        DEDUCT = "deduct", "Deduction"
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="ledger")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.BigIntegerField()
    reason = models.CharField(max_length=200, blank=True)
    generation = models.ForeignKey(
        "generations.Generation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "api_ledgerentry"
        ordering = ("-created_at", "-id")
        verbose_name_plural = "ledger entries"
        constraints = (
            # A generation is charged at most once and refunded at most once.
            models.UniqueConstraint(
                fields=("generation", "kind"),
                condition=models.Q(generation__isnull=False),
                name="ledger_one_entry_per_generation_kind",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+d}"


class UsageDay(models.Model):
    """What one key spent on one model on one UTC day: generations and credits (for test
    keys, what they would have cost live). Kept up to date by the charge and refund
    transactions, so usage figures cost the same whatever the number of generations."""

    api_key = models.ForeignKey("apikeys.ApiKey", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    environment = models.CharField(max_length=4)
    day = models.DateField()
    model_id = models.CharField(max_length=100)
    generations = models.PositiveIntegerField(default=0)
    credits = models.BigIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("api_key", "day", "model_id"), name="usageday_one_per_key_day_model"
            ),
        )
        indexes = (models.Index(fields=("owner", "environment", "day"), name="usageday_owner"),)

    def __str__(self) -> str:
        return f"{self.day} {self.model_id}: {self.generations} ({self.credits} credits)"
