"""Idempotency-Key replays on POST /v1/models/{model}: a retry returns the original answer and is
never charged twice (Stripe's semantics), keys scoped to account and environment, valid
header values, what is stored and how long it is kept."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from clipia_console.api.models import IdempotencyRecord
from clipia_console.billing import credits
from clipia_console.generations.models import Generation
from tests.api.helpers import charges, post
from tests.support import MakeKey


def test_a_retry_returns_the_original_answer_without_charging_again(
    api: Client, funded: Any, live_key: Any
) -> None:
    _, raw = live_key
    first = post(api, raw)
    retry = post(api, raw)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Generation.objects.filter(owner=funded).count() == 1
    assert credits.balance_of(funded.pk) == 80
    assert charges(funded.pk) == 1


def test_a_retry_with_the_same_body_in_another_key_order_is_the_same_request(
    api: Client, funded: Any, live_key: Any
) -> None:
    _, raw = live_key
    first = post(api, raw, {"prompt": "a red kite", "seed": 7})
    retry = post(api, raw, {"seed": 7, "prompt": "a red kite"})

    assert retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert credits.balance_of(funded.pk) == 80


def test_the_same_key_with_a_different_body_is_409_and_charges_nothing(
    api: Client, funded: Any, live_key: Any
) -> None:
    _, raw = live_key
    post(api, raw)
    response = post(api, raw, {"prompt": "a blue kite over the dunes"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert "different request" in response.json()["error"]["message"]
    assert Generation.objects.filter(owner=funded).count() == 1
    assert credits.balance_of(funded.pk) == 80


def test_the_same_key_for_another_model_is_409(api: Client, funded: Any, live_key: Any) -> None:
    _, raw = live_key
    post(api, raw)
    response = post(api, raw, model="clipia/motion-v1-fast")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert credits.balance_of(funded.pk) == 80


def test_keys_are_scoped_to_the_account(
    api: Client, funded: Any, live_key: Any, bob: Any, make_key: MakeKey
) -> None:
    credits.grant(bob, 50, reason="test funds")
    _, alices = live_key
    _, bobs = make_key(bob, "live")

    first = post(api, alices)
    second = post(api, bobs)

    assert second.status_code == 201
    assert second.json()["id"] != first.json()["id"]
    assert not second.has_header("Idempotent-Replayed")
    assert (credits.balance_of(funded.pk), credits.balance_of(bob.pk)) == (80, 30)


def test_keys_are_scoped_to_the_environment(
    api: Client, funded: Any, live_key: Any, test_key: Any
) -> None:
    live = post(api, live_key[1])
    sandbox = post(api, test_key[1])

    assert sandbox.status_code == 201
    assert sandbox.json()["environment"] == "test"
    assert sandbox.json()["id"] != live.json()["id"]
    assert credits.balance_of(funded.pk) == 80


def test_a_key_older_than_24_hours_starts_afresh(api: Client, funded: Any, live_key: Any) -> None:
    _, raw = live_key
    first = post(api, raw)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))

    again = post(api, raw)

    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]
    assert credits.balance_of(funded.pk) == 60
    assert IdempotencyRecord.objects.count() == 1


def test_a_refused_charge_is_replayed_too(api: Client, alice: Any, live_key: Any) -> None:
    _, raw = live_key
    credits.grant(alice, 10, reason="not enough")
    first = post(api, raw)
    credits.grant(alice, 100, reason="top up")

    retry = post(api, raw)

    assert (first.status_code, retry.status_code) == (402, 402)
    assert retry.content == first.content
    assert retry.json()["error"]["code"] == "insufficient_credits"
    assert credits.balance_of(alice.pk) == 110
    assert Generation.objects.count() == 0


def test_a_request_refused_before_generating_is_not_remembered(
    api: Client, funded: Any, live_key: Any
) -> None:
    _, raw = live_key
    invalid = post(api, raw, {"prompt": ""})
    fixed = post(api, raw)

    assert invalid.status_code == 400
    assert fixed.status_code == 201
    assert credits.balance_of(funded.pk) == 80


@pytest.mark.parametrize(
    "header",
    ["x" * 256, "caf\u00e9", "tab\there", "two words", "\x00"],
    ids=["too-long", "non-ascii", "control", "space", "nul"],
)
def test_an_invalid_idempotency_key_is_400_and_charges_nothing(
    api: Client, funded: Any, live_key: Any, header: str
) -> None:
    _, raw = live_key
    response = post(api, raw, idempotency_key=header)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert "Idempotency-Key" in response.json()["error"]["message"]
    assert Generation.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0
    assert credits.balance_of(funded.pk) == 100


def test_an_idempotency_key_of_255_characters_is_accepted(
    api: Client, funded: Any, live_key: Any
) -> None:
    _, raw = live_key
    response = post(api, raw, idempotency_key="k" * 255)

    assert response.status_code == 201
    assert IdempotencyRecord.objects.get().key == "k" * 255


def test_without_the_header_every_request_is_a_new_generation(
    api: Client, funded: Any, live_key: Any
) -> None:
    _, raw = live_key
    first = post(api, raw, idempotency_key=None)
    second = post(api, raw, idempotency_key=None)

    assert second.json()["id"] != first.json()["id"]
    assert credits.balance_of(funded.pk) == 60
    assert IdempotencyRecord.objects.count() == 0


def test_the_stored_answer_never_holds_the_api_key(api: Client, funded: Any, live_key: Any) -> None:
    row, raw = live_key
    post(api, raw)

    record = IdempotencyRecord.objects.get()
    assert raw not in record.response_body
    assert row.lookup_id not in record.response_body


def test_purging_deletes_only_records_past_retention(
    api: Client, funded: Any, live_key: Any
) -> None:
    _, raw = live_key
    post(api, raw, idempotency_key="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    post(api, raw, idempotency_key="fresh")
    out = StringIO()

    call_command("purgeidempotencykeys", stdout=out)

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
    assert "Deleted 1 " in out.getvalue()
