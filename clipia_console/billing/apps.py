from __future__ import annotations

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "clipia_console.billing"
    label = "billing"
    verbose_name = "Clipia billing"
    default_auto_field = "django.db.models.BigAutoField"
