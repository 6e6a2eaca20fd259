from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys import rolling, services
from apikeys.exceptions import CannotRoll


class Command(BaseCommand):
    help = (
        "Roll an API key: give it a new secret, printed once, alone, as the last line of "
        "output; the old secret keeps working for the grace period, then retires."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="the key prefix shown in lists, e.g. clipia_live_AbC…")
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=60,
            help="how long the old secret keeps working, 0 to 10080 (7 days); default 60",
        )
        parser.add_argument(
            "--end-early-after-silent-minutes",
            type=int,
            default=None,
            metavar="MINUTES",
            help="opt in to ending the grace sooner, once the new secret is in use and the old "
            "one has been silent this long (60 or more); by default it ends only at its end",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = options["grace_minutes"]
        if not 0 <= minutes <= rolling.MAX_GRACE.total_seconds() // 60:
            raise CommandError("--grace-minutes must be 0 to 10080 (7 days).")
        silent = options["end_early_after_silent_minutes"]
        if silent is not None and silent < rolling.MIN_QUIET.total_seconds() // 60:
            raise CommandError("--end-early-after-silent-minutes must be 60 or more.")
        api_key = services.find_by_prefix(options["prefix"])
        if api_key is None:
            raise CommandError("No API key with that prefix.")
        try:
            api_key, raw_key = rolling.roll_key(
                api_key,
                grace=timedelta(minutes=minutes),
                quiet_after=None if silent is None else timedelta(minutes=silent),
                actor=services.Actor.command("rollapikey"),
            )
        except CannotRoll as exc:
            raise CommandError(str(exc)) from None
        until = (
            f"until {api_key.previous_expires_at:%Y-%m-%d %H:%M:%S %Z}"
            if api_key.previous_expires_at
            else "no longer: it stopped working now"
        )
        self.stderr.write(
            f"Rolled {api_key.display_prefix}… ({api_key.name!r}). The old secret works {until}. "
            "Store the new key now; it will not be shown again."
        )
        self.stdout.write(raw_key)
