"""createapikey's spend-control options and updateapikey."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from apikeys.models import ApiKey, ApiKeyEvent
from tests.support import FAST, MOTION, MakeKey, bearer, generate

pytestmark = pytest.mark.usefixtures("catalog")


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_createapikey_sets_budget_models_and_addresses(alice: User) -> None:
    out, err = run(
        "createapikey", "--user", "alice", "--env", "test",
        "--budget", "40", "--budget-period", "day",
        "--models", f"{FAST},{MOTION}", "--allowed-ips", "127.0.0.1,2001:db8::/32",
    )  # fmt: skip

    raw = out.strip().splitlines()[-1]
    key = ApiKey.objects.get()
    assert (key.budget_credits, key.budget_period) == (40, "day")
    assert key.allowed_models == [MOTION, FAST]
    assert key.allowed_ips == ["127.0.0.1/32", "2001:db8::/32"]
    assert "budget: 40 credits per day" in err
    assert Client().get("/v1/key", **bearer(raw)).json()["budget"]["limit"] == 40


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--budget", "-5", "whole number of credits"),
        ("--models", "clipia/nope", "No model 'clipia/nope'"),
        ("--allowed-ips", "10.0.0.300", "not an IP address"),
    ],
)
def test_createapikey_refuses_bad_settings_and_creates_nothing(
    alice: User, option: str, value: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run("createapikey", "--user", "alice", "--env", "test", option, value)
    assert not ApiKey.objects.exists()


def test_updateapikey_changes_and_prints_the_settings(alice: User, make_key: MakeKey) -> None:
    key, raw = make_key(alice, "test")

    out, _ = run(
        "updateapikey", key.display_prefix, "--budget", "100", "--budget-period", "week",
        "--models", FAST, "--allowed-ips", "127.0.0.0/8", "--pause",
    )  # fmt: skip

    assert "budget: 100 credits per week" in out
    assert f"models: {FAST}" in out
    assert "addresses: 127.0.0.0/8" in out
    assert "status: paused" in out
    assert generate(raw, FAST).json()["error"]["code"] == "key_paused"
    kinds = set(ApiKeyEvent.objects.filter(api_key=key).values_list("kind", flat=True))
    assert {"budget_changed", "models_changed", "addresses_changed", "paused"} <= kinds

    out, _ = run("updateapikey", key.display_prefix, "--no-budget", "--all-models", "--any-ip",
                 "--resume")  # fmt: skip

    assert "budget: none" in out
    assert "models: all" in out
    assert "status: active" in out
    assert generate(raw, MOTION).status_code == 201


def test_updateapikey_records_old_and_new_values(alice: User, make_key: MakeKey) -> None:
    key, _ = make_key(alice, "test")
    run("updateapikey", key.display_prefix, "--budget", "10")
    run("updateapikey", key.display_prefix, "--budget", "20")

    event = ApiKeyEvent.objects.filter(kind="budget_changed").first()
    assert event is not None
    assert event.details == {
        "old": {"budget_credits": 10, "budget_period": "month"},
        "new": {"budget_credits": 20, "budget_period": "month"},
    }
    assert event.actor_label == "manage.py updateapikey"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--budget", "ten"], "whole number"),
        (["--budget-period", "day"], "needs --budget"),
        (["--models", "clipia/nope"], "No model"),
        (["--allowed-ips", "nowhere"], "not an IP address"),
    ],
)
def test_updateapikey_refuses_bad_values(
    alice: User, make_key: MakeKey, args: list[str], message: str
) -> None:
    key, _ = make_key(alice, "test")
    with pytest.raises(CommandError, match=message):
        run("updateapikey", key.display_prefix, *args)
    key.refresh_from_db()
    assert key.budget_credits is None and key.allowed_models is None


def test_updateapikey_refuses_an_unknown_or_revoked_key(alice: User, make_key: MakeKey) -> None:
    with pytest.raises(CommandError, match="No key"):
        run("updateapikey", "clipia_test_000000000000", "--pause")
    key, _ = make_key(alice, "test")
    run("revokeapikey", key.display_prefix)
    with pytest.raises(CommandError, match="revoked"):
        run("updateapikey", key.display_prefix, "--pause")
