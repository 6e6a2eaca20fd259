from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clipia_console.generations.dispatch import Handover, dispatch, undispatched


class Command(BaseCommand):
    help = (
        "Hand queued live generations that were never dispatched (the dispatcher failed "
        "after their charge committed) to the dispatcher again. Run it every few minutes, "
        "e.g. from cron."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=5,
            metavar="MINUTES",
            help="only generations created at least this long ago (default 5)",
        )
        parser.add_argument(
            "--limit", type=int, default=1000, help="at most this many per run (default 1000)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["older_than"] < 0 or options["limit"] < 1:
            raise CommandError("--older-than must be >= 0 and --limit >= 1.")
        stuck = undispatched(
            older_than=timedelta(minutes=options["older_than"]), limit=options["limit"]
        )
        # A generation another run took meanwhile is neither dispatched here nor a failure.
        outcomes = [dispatch(pk) for pk in stuck]
        dispatched = outcomes.count(Handover.DISPATCHED)
        self.stdout.write(f"Dispatched {dispatched} of {len(stuck)} stuck generations.")
        if failed := outcomes.count(Handover.FAILED):
            raise CommandError(f"{failed} could not be dispatched; see the log.")
