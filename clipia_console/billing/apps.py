from __future__ import annotations

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "clipia_console.billing"
    label = "billing"
    verbose_name = "Clipia billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the receiver that sets a new key's budget (apikeys.signals.key_created).
        from clipia_console.billing import budget_settings  # noqa: F401
