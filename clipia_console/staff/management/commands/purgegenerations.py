from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from clipia_console.generations import retention


class Command(BaseCommand):
    help = (
        "Delete sandbox (test-key) generations older than CLIPIA_SANDBOX_RETENTION_DAYS "
        "(default 30). Live generations are never deleted. Run it daily, e.g. from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = retention.purge_sandbox_generations()
        self.stdout.write(
            f"Deleted {deleted} sandbox generations older than "
            f"{settings.CLIPIA_SANDBOX_RETENTION_DAYS} days."
        )
