"""A throwaway benchmark database: created, migrated and seeded with one user, one API key
and one DRF token. Never the database DATABASE_URL names itself: on PostgreSQL it is
Django's test database (``test_<name>``), on SQLite a file in a temporary directory."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from rest_framework.authtoken.models import Token

from apikeys import services
from clipia_console.billing import credits


@dataclass(frozen=True)
class Seed:
    raw_key: str = field(repr=False)
    token: str = field(repr=False)
    database_name: str


def create_database() -> str:
    """Create and migrate the benchmark database; returns its name."""
    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
        return str(connection.settings_dict["NAME"])
    return str(connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False))


def destroy_database(name: str) -> None:
    if connection.vendor != "sqlite":
        connection.creation.destroy_test_db(name, verbosity=0)


def seed() -> Seed:
    user = User.objects.create_user("bench", "bench@example.com", "bench-password-unused")
    credits.grant(user, 1_000_000, reason="benchmark")
    _, raw_key = services.create_key(
        owner=user, name="bench", environment="live", actor=services.Actor.command("bench")
    )
    token = Token.objects.create(user=user)
    return Seed(
        raw_key=raw_key, token=token.key, database_name=str(connection.settings_dict["NAME"])
    )
