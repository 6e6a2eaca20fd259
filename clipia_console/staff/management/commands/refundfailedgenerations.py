from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clipia_console.generations import refunds


class Command(BaseCommand):
    help = (
        "Refund failed live generations whose refund never committed, each exactly once. "
        "Safe to run from cron, and to overlap with itself."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=1000, help="at most this many per run (default 1000)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit must be >= 1.")
        refunded = refunds.refund_failures(limit=options["limit"])
        self.stdout.write(f"Refunded {refunded} failed generation{'' if refunded == 1 else 's'}.")
