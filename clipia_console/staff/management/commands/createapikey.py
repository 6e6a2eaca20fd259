from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys import controls, services
from apikeys.keys import Environment
from apikeys.models import DEFAULT_SCOPES, BudgetPeriod
from clipia_console.billing import budget_settings
from clipia_console.generations import catalog
from clipia_console.lib import clock


class Command(BaseCommand):
    help = (
        "Create an API key for a user. The full key is printed once, alone, as the last "
        "line of output (so `| tail -n1` captures it); it cannot be shown again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username of the key's owner")
        parser.add_argument("--env", required=True, choices=[env.value for env in Environment])
        parser.add_argument(
            "--scopes",
            default=",".join(DEFAULT_SCOPES),
            help="comma-separated: generate,read (default: both)",
        )
        parser.add_argument("--name", default="", help="a label (default: 'CLI key')")
        parser.add_argument(
            "--expires-in-days",
            type=int,
            default=None,
            help="the key expires this many days from now, at most 366 (default: never)",
        )
        parser.add_argument("--budget", metavar="CREDITS", help="a budget in credits")
        parser.add_argument(
            "--budget-period", choices=BudgetPeriod.values, help="the budget's window (month)"
        )
        parser.add_argument("--models", metavar="ID,ID", help="only these models")
        parser.add_argument("--allowed-ips", metavar="CIDR,CIDR", help="only from these")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            owner = User.objects.get(**{User.USERNAME_FIELD: options["user"]})
        except User.DoesNotExist:
            raise CommandError(f"No user {options['user']!r}.") from None
        days = options["expires_in_days"]
        if days is not None and not 1 <= days <= services.MAX_LIFETIME.days:
            raise CommandError(f"--expires-in-days must be 1 to {services.MAX_LIFETIME.days}.")
        expires_at = clock.now() + timedelta(days=days) if days is not None else None
        try:
            # Checked before the key exists, so a bad value creates nothing.
            budget, period = budget_settings.parse_budget(
                options["budget"], options["budget_period"]
            )
            models = controls.parse_models(
                controls.comma_list(options["models"]), catalog.model_ids()
            )
            ips = controls.parse_ips(controls.comma_list(options["allowed_ips"]))
        except controls.InvalidSetting as exc:
            raise CommandError(exc.message) from None
        if options["budget_period"] and budget is None:
            raise CommandError("--budget-period needs --budget CREDITS.")
        actor = services.Actor.command("createapikey")
        try:
            api_key, raw_key = services.create_key(
                owner=owner,
                name=options["name"] or "CLI key",
                environment=options["env"],
                scopes=[scope for scope in options["scopes"].split(",") if scope.strip()],
                actor=actor,
                expires_at=expires_at,
            )
        except services.KeyLifecycleError as exc:
            raise CommandError(str(exc)) from None
        if budget is not None:
            budget_settings.set_budget(api_key, budget, period, actor=actor)
        controls.set_allowed_models(api_key, models, actor=actor)
        controls.set_allowed_ips(api_key, ips, actor=actor)
        self.stderr.write(
            f"Created {api_key.environment} key {api_key.display_prefix}… "
            f"({api_key.name!r}, scopes: {api_key.scopes}) for {owner.get_username()}. "
            "Store it now; it will not be shown again."
        )
        if budget is not None or models is not None or ips is not None:
            self.stderr.write("\n".join(controls.summary(api_key)[2:]))
        self.stdout.write(raw_key)
