"""Creating a key with its controls: one function, one transaction (services.create_key)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from apikeys import controls, services
from apikeys.controls import KeyControls
from apikeys.models import ApiKey, ApiKeyEvent
from tests.support import MOTION, STAFF_COMMAND

pytestmark = pytest.mark.usefixtures("catalog")


def test_a_key_is_created_with_its_budget_models_and_addresses_in_one_go(alice: User) -> None:
    wanted = KeyControls(
        budget_credits=500,
        budget_period="week",
        allowed_models=[MOTION],
        allowed_ips=["203.0.113.0/24"],
    )

    api_key, _ = services.create_key(
        owner=alice, name="ci", environment="live", actor=STAFF_COMMAND, controls=wanted
    )

    row = ApiKey.objects.get(pk=api_key.pk)
    assert (row.budget_credits, row.budget_period) == (500, "week")
    assert (row.allowed_models, row.allowed_ips) == ([MOTION], ["203.0.113.0/24"])
    kinds = list(row.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [
        ApiKeyEvent.Kind.CREATED,
        ApiKeyEvent.Kind.BUDGET_CHANGED,
        ApiKeyEvent.Kind.MODELS_CHANGED,
        ApiKeyEvent.Kind.ADDRESSES_CHANGED,
    ]


def test_a_key_without_controls_gets_no_settings_events(alice: User) -> None:
    api_key, _ = services.create_key(
        owner=alice, name="plain", environment="test", actor=STAFF_COMMAND
    )

    assert [event.kind for event in api_key.events.all()] == [ApiKeyEvent.Kind.CREATED]
    assert (api_key.budget_credits, api_key.allowed_models, api_key.allowed_ips) == (
        None,
        None,
        None,
    )


def test_a_failure_half_way_through_the_command_leaves_no_key(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("the database went away while setting the addresses")

    monkeypatch.setattr(controls, "set_allowed_ips", broken)

    with pytest.raises(RuntimeError):
        call_command(
            "createapikey",
            "--user=alice",
            "--env=live",
            "--budget=100",
            f"--models={MOTION}",
            "--allowed-ips=203.0.113.7",
            stdout=StringIO(),
            stderr=StringIO(),
        )

    assert not ApiKey.objects.filter(owner=alice).exists()
    assert not ApiKeyEvent.objects.exists()


def test_the_command_refuses_a_bad_control_before_any_key_exists(alice: User) -> None:
    with pytest.raises(CommandError, match="not an IP address"):
        call_command("createapikey", "--user=alice", "--env=live", "--allowed-ips=nope")

    assert not ApiKey.objects.filter(owner=alice).exists()
