from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys import services
from apikeys.models import DEFAULT_SCOPES


class Command(BaseCommand):
    help = (
        "Create an API key for a user. The full key is printed once, alone, as the last "
        "line of output (so `| tail -n1` captures it); it cannot be shown again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username of the key's owner")
        parser.add_argument("--env", required=True, choices=("live", "test"))
        parser.add_argument(
            "--scopes",
            default=",".join(DEFAULT_SCOPES),
            help="comma-separated: generate,read (default: both)",
        )
        parser.add_argument("--name", default="", help="a label (default: 'CLI key')")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            owner = User.objects.get(**{User.USERNAME_FIELD: options["user"]})
        except User.DoesNotExist:
            raise CommandError(f"No user {options['user']!r}.") from None
        try:
            api_key, raw_key = services.create_key(
                owner=owner,
                name=options["name"] or "CLI key",
                environment=options["env"],
                scopes=[scope for scope in options["scopes"].split(",") if scope.strip()],
                actor=services.Actor.command("createapikey"),
            )
        except services.KeyLifecycleError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(
            f"Created {api_key.environment} key {api_key.display_prefix}… "
            f"({api_key.name!r}, scopes: {api_key.scopes}) for {owner.get_username()}. "
            "Store it now; it will not be shown again."
        )
        self.stdout.write(raw_key)
