from __future__ import annotations

from django.apps import AppConfig


class GenerationsConfig(AppConfig):
    name = "clipia_console.generations"
    label = "generations"
    verbose_name = "Clipia generations"
    default_auto_field = "django.db.models.BigAutoField"
