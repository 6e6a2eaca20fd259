from __future__ import annotations

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "clipia_console.console"
    label = "console"
    verbose_name = "Clipia developer console"
    default_auto_field = "django.db.models.BigAutoField"
