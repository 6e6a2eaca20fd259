from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apikeys import rolling
from clipia_console.notifications import key_notices, sending


class Command(BaseCommand):
    help = (
        "Email owners whose keys expire within 7 days and within 1 day, retry every notice "
        "still unsent 5 minutes after it was claimed, and retire rolled keys' old secrets "
        "whose grace is over. Safe to run every few minutes from cron: each notice goes out "
        "once, even when two runs overlap."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        warned = key_notices.send_expiry_warnings()
        retried = sending.retry_unsent()
        retired = rolling.retire_finished()
        self.stdout.write(
            f"{warned} expiry notice(s) sent, {retried} unsent notice(s) retried, "
            f"{retired} old secret(s) retired."
        )
