from __future__ import annotations

from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "clipia_console.staff"
    label = "staff"
    verbose_name = "Clipia staff"
    default_auto_field = "django.db.models.BigAutoField"
