from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clipia_console.accounts"
    label = "accounts"
    verbose_name = "Clipia accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from clipia_console.accounts import sudo  # noqa: F401  (connects the sign-in receiver)
