from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys import controls, services
from apikeys.audit import Actor
from apikeys.exceptions import KeyLifecycleError
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
        key_controls = _controls(options)
        try:
            api_key, raw_key = services.create_key(
                owner=owner,
                name=options["name"] or "CLI key",
                environment=options["env"],
                scopes=[scope for scope in options["scopes"].split(",") if scope.strip()],
                actor=Actor.command("createapikey"),
                expires_at=_expires_at(options["expires_in_days"]),
                controls=key_controls,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except KeyLifecycleError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(
            f"Created {api_key.environment} key {api_key.display_prefix}… "
            f"({api_key.name!r}, scopes: {api_key.scopes}) for {owner.get_username()}. "
            "Store it now; it will not be shown again."
        )
        if key_controls != services.NO_CONTROLS:
            self.stderr.write("\n".join(controls.summary(api_key)[2:]))
        self.stdout.write(raw_key)


def _expires_at(days: int | None) -> datetime | None:
    if days is not None and not 1 <= days <= services.MAX_LIFETIME.days:
        raise CommandError(f"--expires-in-days must be 1 to {services.MAX_LIFETIME.days}.")
    return clock.now() + timedelta(days=days) if days is not None else None


def _controls(options: dict[str, Any]) -> controls.KeyControls:
    """The controls asked for, checked before the key exists, so a bad value creates
    nothing."""
    try:
        budget, period = budget_settings.parse_budget(options["budget"], options["budget_period"])
        models = controls.parse_models(controls.comma_list(options["models"]), catalog.model_ids())
        ips = controls.parse_ips(controls.comma_list(options["allowed_ips"]))
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None
    if options["budget_period"] and budget is None:
        raise CommandError("--budget-period needs --budget CREDITS.")
    return controls.KeyControls(
        budget_credits=budget, budget_period=period, allowed_models=models, allowed_ips=ips
    )
