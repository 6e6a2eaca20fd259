from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "clipia_console.api"
    label = "api"
    verbose_name = "Clipia API"
    default_auto_field = "django.db.models.BigAutoField"
