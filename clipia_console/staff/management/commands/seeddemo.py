from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clipia_console.billing import credits

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password"
DEMO_CREDITS = 1000


class Command(BaseCommand):
    help = "DEBUG only: create the demo login with credits (idempotent), and say how to use it."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seeddemo only runs with DEBUG on; it creates a known password.")
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "demo@example.com"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            credits.grant(user, DEMO_CREDITS, reason="demo account", actor_label="seeddemo")
        self.stdout.write(
            "\nDemo login (DEBUG only):\n"
            f"  sign in at http://127.0.0.1:8000/accounts/login/ as {DEMO_USERNAME} / "
            f"{DEMO_PASSWORD}\n"
            f"  balance: {credits.balance_of(user.pk)} credits\n"
            "  get a key: the API Keys tab at http://127.0.0.1:8000/developer/api-keys/, or\n"
            f"  .venv/bin/python manage.py createapikey --user {DEMO_USERNAME} --env test\n"
        )
