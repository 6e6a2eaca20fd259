from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clipia_console.billing import credits


class Command(BaseCommand):
    help = "Grant credits to a user's account (written to the ledger)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("amount", type=int)
        parser.add_argument("--reason", default="granted with manage.py grantcredits")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: options["username"]})
        except User.DoesNotExist:
            raise CommandError(f"No user {options['username']!r}.") from None
        if options["amount"] <= 0:
            raise CommandError("AMOUNT must be a positive number of credits.")
        balance = credits.grant(
            user,
            options["amount"],
            reason=options["reason"],
            actor_label="manage.py grantcredits",
        )
        self.stdout.write(
            f"Granted {options['amount']} credits to {user.get_username()}; balance {balance}."
        )
