from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys import keys, services


class Command(BaseCommand):
    help = "Revoke an API key by its prefix (clipia_live_<lookup id>) or lookup id. Instant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="the key prefix shown in lists, e.g. clipia_live_AbC…")

    def handle(self, *args: Any, **options: Any) -> None:
        prefix = options["prefix"]
        api_key = services.find_by_prefix(prefix)
        if api_key is None:
            raise CommandError("No API key with that prefix.")
        named = _environment_named_in(prefix)
        if named is not None and named != api_key.environment:
            # A live prefix pasted for a test key (or the reverse) is a mistake: revoking
            # the wrong environment's key cannot be undone.
            raise CommandError(
                f"No {named} API key with that lookup id: it belongs to "
                f"{api_key.display_prefix}…, a {api_key.environment} key. Nothing was revoked."
            )
        if services.revoke_key(api_key, actor=services.Actor.command("revokeapikey")):
            self.stdout.write(f"Revoked {api_key.display_prefix}… ({api_key.name!r}).")
        else:
            self.stdout.write(
                f"{api_key.display_prefix}… was already revoked at "
                f"{api_key.revoked_at:%Y-%m-%d %H:%M:%S %Z}."
            )


def _environment_named_in(prefix: str) -> keys.Environment | None:
    """The environment ``prefix`` names (clipia_live_… or clipia_test_…), None for a bare
    lookup id."""
    for environment in keys.ENVIRONMENTS:
        if keys.key_prefix(environment) in prefix:
            return environment
    return None
