from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apikeys import controls, services
from apikeys.models import BudgetPeriod
from clipia_console.billing import budget_settings
from clipia_console.generations import catalog


class Command(BaseCommand):
    help = (
        "Change a key's spend controls: budget, allowed models, allowed addresses, pause. "
        "Prints the key's new settings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="the key's prefix (clipia_live_<id>) or lookup id")
        budget = parser.add_mutually_exclusive_group()
        budget.add_argument("--budget", metavar="CREDITS", help="credits per period")
        budget.add_argument("--no-budget", action="store_true", help="remove the budget")
        parser.add_argument("--budget-period", choices=BudgetPeriod.values)
        models = parser.add_mutually_exclusive_group()
        models.add_argument("--models", metavar="ID,ID", help="only these models")
        models.add_argument("--all-models", action="store_true")
        addresses = parser.add_mutually_exclusive_group()
        addresses.add_argument("--allowed-ips", metavar="CIDR,CIDR", help="only from these")
        addresses.add_argument("--any-ip", action="store_true")
        pause = parser.add_mutually_exclusive_group()
        pause.add_argument("--pause", action="store_true", help="stop spending now")
        pause.add_argument("--resume", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        api_key = services.find_by_prefix(options["prefix"])
        if api_key is None:
            raise CommandError(f"No key with prefix {options['prefix']!r}.")
        actor = services.Actor.command("updateapikey")
        if options["budget_period"] and options["budget"] is None and not options["no_budget"]:
            options["budget"] = api_key.budget_credits
            if options["budget"] is None:
                raise CommandError("--budget-period needs --budget CREDITS.")
        try:
            # Check everything before changing anything.
            credits, period = budget_settings.parse_budget(
                options["budget"], options["budget_period"] or api_key.budget_period
            )
            models = controls.parse_models(
                controls.comma_list(options["models"]), catalog.model_ids()
            )
            ips = controls.parse_ips(controls.comma_list(options["allowed_ips"]))
            if options["budget"] is not None or options["no_budget"]:
                budget_settings.set_budget(api_key, credits, period, actor=actor)
            if options["models"] is not None or options["all_models"]:
                controls.set_allowed_models(api_key, models, actor=actor)
            if options["allowed_ips"] is not None or options["any_ip"]:
                controls.set_allowed_ips(api_key, ips, actor=actor)
            if options["pause"]:
                controls.pause(api_key, actor=actor)
            if options["resume"]:
                controls.resume(api_key, actor=actor)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write("\n".join(controls.summary(api_key)))
