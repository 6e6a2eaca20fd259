from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "clipia_console.notifications"
    label = "notifications"
    verbose_name = "Clipia notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connected here, not imported by the senders: apikeys and billing sit below us.
        from apikeys.signals import key_event
        from clipia_console.billing.signals import spent
        from clipia_console.notifications import budget_notices, key_notices

        key_event.connect(key_notices.on_key_event, dispatch_uid="notifications.key_event")
        spent.connect(budget_notices.on_spent, dispatch_uid="notifications.spent")
