from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys import services


class Command(BaseCommand):
    help = "Revoke an API key by its prefix (clipia_live_<lookup id>) or lookup id. Instant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="the key prefix shown in lists, e.g. clipia_live_AbC…")

    def handle(self, *args: Any, **options: Any) -> None:
        api_key = services.find_by_prefix(options["prefix"])
        if api_key is None:
            raise CommandError("No API key with that prefix.")
        if services.revoke_key(api_key, actor=services.Actor.command("revokeapikey")):
            self.stdout.write(f"Revoked {api_key.display_prefix}… ({api_key.name!r}).")
        else:
            self.stdout.write(
                f"{api_key.display_prefix}… was already revoked at "
                f"{api_key.revoked_at:%Y-%m-%d %H:%M:%S %Z}."
            )
