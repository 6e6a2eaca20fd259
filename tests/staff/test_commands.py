"""Management commands for staff and scripts."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from apikeys import keys
from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.billing import credits
from clipia_console.generations import services as generations
from clipia_console.generations.models import Generation, VideoModel
from tests.support import bearer


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_createapikey_prints_a_working_key_alone_on_the_last_line(api: Client, alice: User) -> None:
    out, err = run("createapikey", "--user", "alice", "--env", "test", "--name", "ci")

    raw = out.strip().splitlines()[-1]
    assert keys.parse_key(raw) is not None
    assert raw.startswith("clipia_test_")
    assert raw not in err
    row = ApiKey.objects.get(owner=alice)
    assert (row.name, row.environment, row.scopes) == ("ci", "test", "generate read")
    assert api.get("/v1/account", **bearer(raw)).status_code == 200
    assert ApiKeyEvent.objects.get(kind="created").actor_label == "manage.py createapikey"


def test_createapikey_takes_scopes(alice: User) -> None:
    run("createapikey", "--user", "alice", "--env", "live", "--scopes", "read")

    assert ApiKey.objects.get(owner=alice).scopes == "read"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody", "--env", "test"], "No user"),
        (["--user", "alice", "--env", "test", "--scopes", "admin"], "Unknown scope"),
        (["--user", "alice", "--env", "test", "--scopes", ","], "at least one scope"),
    ],
)
def test_createapikey_refuses_bad_input_clearly(alice: User, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("createapikey", *args)

    assert not ApiKey.objects.exists()


def test_createapikey_refuses_an_unknown_environment(alice: User) -> None:
    with pytest.raises(CommandError):
        run("createapikey", "--user", "alice", "--env", "prod")


def test_revokeapikey_revokes_by_prefix_and_the_key_stops_working(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key

    out, _ = run("revokeapikey", row.display_prefix)

    assert "Revoked" in out
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert api.get("/v1/account", **bearer(raw)).status_code == 401
    assert ApiKeyEvent.objects.get(kind="revoked").actor_label == "manage.py revokeapikey"


def test_revokeapikey_is_idempotent(test_key: tuple[ApiKey, str]) -> None:
    row, _ = test_key
    run("revokeapikey", row.lookup_id)

    out, _ = run("revokeapikey", row.display_prefix + "…")

    assert "already revoked" in out
    assert ApiKeyEvent.objects.filter(kind="revoked").count() == 1


def test_revokeapikey_refuses_an_unknown_prefix(db: Any) -> None:
    with pytest.raises(CommandError, match="No API key"):
        run("revokeapikey", "clipia_live_000000000000")


def test_revokeapikey_refuses_a_prefix_of_the_other_environment(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key

    with pytest.raises(CommandError, match="No live API key with that lookup id") as refused:
        run("revokeapikey", f"clipia_live_{row.lookup_id}")

    assert refused.value.returncode != 0
    assert row.display_prefix in str(refused.value)  # says which key the id belongs to
    row.refresh_from_db()
    assert row.revoked_at is None
    assert not ApiKeyEvent.objects.filter(kind="revoked").exists()
    assert api.get("/v1/account", **bearer(raw)).status_code == 200


def test_revokeapikey_refuses_a_test_prefix_for_a_live_key(live_key: tuple[ApiKey, str]) -> None:
    row, _ = live_key

    with pytest.raises(CommandError, match="No test API key"):
        run("revokeapikey", f"clipia_test_{row.lookup_id}…")

    row.refresh_from_db()
    assert row.revoked_at is None


def test_revokeapikey_still_takes_a_bare_lookup_id(live_key: tuple[ApiKey, str]) -> None:
    row, _ = live_key

    out, _ = run("revokeapikey", row.lookup_id)

    assert "Revoked" in out
    row.refresh_from_db()
    assert row.revoked_at is not None


def test_grantcredits_adds_to_the_balance_and_the_ledger(alice: User) -> None:
    out, _ = run("grantcredits", "alice", "250")

    assert "balance 250" in out
    assert credits.balance_of(alice.pk) == 250
    assert credits.ledger_sum(alice.pk) == 250


@pytest.mark.parametrize("amount", ["0", "-10"])
def test_grantcredits_refuses_non_positive_amounts(alice: User, amount: str) -> None:
    with pytest.raises(CommandError):
        run("grantcredits", "alice", amount)

    assert credits.balance_of(alice.pk) == 0


def test_seeddemo_refuses_to_run_without_debug(db: Any, settings: Any) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        run("seeddemo")

    assert not User.objects.filter(username="demo").exists()


def test_seeddemo_creates_a_funded_demo_login_once(db: Any, settings: Any) -> None:
    settings.DEBUG = True

    out, _ = run("seeddemo")
    run("seeddemo")

    demo = User.objects.get(username="demo")
    assert demo.check_password("demo-password")
    assert credits.balance_of(demo.pk) == 1000
    assert "createapikey --user demo" in out


def test_the_models_and_their_migrations_agree(db: Any) -> None:
    # A model change without its migration would pass every test (the test database is
    # built from the models' migrations) and then break `migrate` on a real database.
    out, _ = run("makemigrations", "--check", "--dry-run")

    assert "No changes detected" in out


def _generation_aged(api_key: ApiKey, days: float) -> Generation:
    generation = generations.create(
        api_key=api_key,
        model=VideoModel.objects.get(pk="clipia/motion-v1"),
        prompt="a kite",
        params={},
    )
    Generation.objects.filter(pk=generation.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    return generation


def test_purgegenerations_deletes_sandbox_generations_past_retention_and_keeps_live_ones(
    funded: User, live_key: tuple[ApiKey, str], test_key: tuple[ApiKey, str]
) -> None:
    old_sandbox = _generation_aged(test_key[0], days=31)
    recent_sandbox = _generation_aged(test_key[0], days=29)
    old_live = _generation_aged(live_key[0], days=400)
    out = StringIO()

    call_command("purgegenerations", stdout=out)

    assert set(Generation.objects.values_list("pk", flat=True)) == {
        recent_sandbox.pk,
        old_live.pk,
    }
    assert not Generation.objects.filter(pk=old_sandbox.pk).exists()
    assert "Deleted 1 sandbox generations older than 30 days." in out.getvalue()
    assert credits.ledger_sum(funded.pk) == credits.balance_of(funded.pk) == 80


def test_purgegenerations_follows_the_retention_setting(
    test_key: tuple[ApiKey, str], settings: Any
) -> None:
    settings.CLIPIA_SANDBOX_RETENTION_DAYS = 7
    _generation_aged(test_key[0], days=8)
    kept = _generation_aged(test_key[0], days=6)

    call_command("purgegenerations", stdout=StringIO())

    assert list(Generation.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_purged_sandbox_generation_is_404_to_its_key(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    generation = _generation_aged(test_key[0], days=31)

    call_command("purgegenerations", stdout=StringIO())

    response = api.get(f"/v1/generations/{generation.pk}", **bearer(test_key[1]))
    assert response.status_code == 404
