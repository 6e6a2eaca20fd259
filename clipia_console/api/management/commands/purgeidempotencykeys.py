from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from clipia_console.api import idempotency


class Command(BaseCommand):
    help = (
        "Delete Idempotency-Key records older than 24 hours (they no longer replay). "
        "Run it daily, e.g. from cron; the table only grows otherwise."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency.purge_expired()
        self.stdout.write(f"Deleted {deleted} expired idempotency records.")
