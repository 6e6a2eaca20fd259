"""Requesting a generation on /v1: a test key's free mock, a live key charged and queued for
the dispatcher named in settings (this module's record_dispatch), and the requests that
charge nothing (too few credits, an unknown model, no generate scope)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations.models import Generation
from tests.api.helpers import MOTION, assert_error, post_json
from tests.support import MakeKey


def test_a_test_key_gets_an_instant_free_mock_generation(
    api: Client, funded: User, test_key: tuple[ApiKey, str]
) -> None:
    response = post_json(api, MOTION, test_key[1], {"prompt": "a red fox in snow"})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["environment"] == "test"
    assert body["cost"] == 0
    assert body["result"]["mock"] is True
    assert body["result"]["video_url"].startswith("https://")
    assert credits.balance_of(funded.pk) == 100
    assert not LedgerEntry.objects.filter(kind="charge").exists()


def test_a_live_key_is_charged_and_the_generation_is_queued(
    api: Client, funded: User, live_key: tuple[ApiKey, str]
) -> None:
    response = post_json(api, MOTION, live_key[1], {"prompt": "a red fox", "duration_seconds": 5})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "queued"
    assert body["cost"] == 20
    assert body["params"] == {"duration_seconds": 5}
    assert credits.balance_of(funded.pk) == 80
    charge = LedgerEntry.objects.get(kind="charge")
    assert charge.amount == -20
    assert str(charge.generation_id) == body["id"]
    assert credits.ledger_sum(funded.pk) == 80


def test_the_dispatcher_named_in_settings_receives_live_generations_after_commit(
    api: Client,
    funded: User,
    live_key: tuple[ApiKey, str],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CLIPIA_GENERATION_DISPATCHER = "tests.api.test_api.record_dispatch"
    DISPATCHED.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(api, MOTION, live_key[1], {"prompt": "x"})

    assert [str(pk) for pk in DISPATCHED] == [response.json()["id"]]


DISPATCHED: list[Any] = []


def record_dispatch(generation_id: Any) -> None:
    DISPATCHED.append(generation_id)


def test_too_few_credits_gets_402_and_charges_nothing(
    api: Client, alice: User, live_key: tuple[ApiKey, str]
) -> None:
    credits.grant(alice, 19, reason="not quite enough")

    response = post_json(api, MOTION, live_key[1], {"prompt": "x"})

    error = assert_error(response, 402, "insufficient_credits")
    assert "20" in error["message"] and "19" in error["message"]
    assert credits.balance_of(alice.pk) == 19
    assert not Generation.objects.exists()
    assert credits.ledger_sum(alice.pk) == 19


def test_an_unknown_model_charges_nothing(
    api: Client, funded: User, live_key: tuple[ApiKey, str]
) -> None:
    assert_error(
        post_json(api, "/v1/models/nope/x", live_key[1], {"prompt": "x"}), 404, "model_not_found"
    )
    assert credits.balance_of(funded.pk) == 100
    assert not Generation.objects.exists()


def test_a_key_without_the_generate_scope_gets_403_insufficient_scope(
    api: Client, funded: User, make_key: MakeKey
) -> None:
    _, raw = make_key(funded, "live", scopes=("read",))

    error = assert_error(post_json(api, MOTION, raw, {"prompt": "x"}), 403, "insufficient_scope")

    assert "generate" in error["message"]
    assert credits.balance_of(funded.pk) == 100
    assert not Generation.objects.exists()
