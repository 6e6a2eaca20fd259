from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "clipia_console.notifications"
    label = "notifications"
    verbose_name = "Clipia notifications"
    default_auto_field = "django.db.models.BigAutoField"
