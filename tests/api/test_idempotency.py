"""Idempotency-Key on POST /v1/models/{model}: a retry returns the original answer and is
never charged twice (Stripe's semantics)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from clipia_console.api import idempotency
from clipia_console.api.models import IdempotencyRecord
from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations import services as generations
from clipia_console.generations.models import Generation, VideoModel
from tests.support import MakeKey, bearer

MODEL = "clipia/motion-v1"  # 20 credits
BODY = {"prompt": "a red kite over the dunes", "duration_seconds": 5}


def post(
    api: Client,
    raw_key: str,
    body: Any = BODY,
    *,
    idempotency_key: str | None = "retry-me-1",
    model: str = MODEL,
) -> Any:
    headers = bearer(raw_key)
    if idempotency_key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
    return api.post(
        f"/v1/models/{model}",
        data=json.dumps(body),
        content_type="application/json",
        **headers,
    )


def charges(user_id: int) -> int:
    return LedgerEntry.objects.filter(account_id=user_id, kind=LedgerEntry.Kind.CHARGE).count()


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


def test_an_in_flight_duplicate_gets_409_saying_so(api: Client, funded: Any, live_key: Any) -> None:
    row, raw = live_key
    idempotency.begin(
        account_id=funded.pk,
        environment="live",
        key="retry-me-1",
        request_fingerprint=idempotency.fingerprint(MODEL, BODY),
    )

    response = post(api, raw)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert "in flight" in response.json()["error"]["message"]
    assert Generation.objects.count() == 0
    assert credits.balance_of(funded.pk) == 100


def test_a_claim_abandoned_by_a_dead_request_is_taken_over_by_the_retry(
    api: Client, funded: Any, live_key: Any
) -> None:
    _, raw = live_key
    idempotency.begin(
        account_id=funded.pk,
        environment="live",
        key="retry-me-1",
        request_fingerprint=idempotency.fingerprint(MODEL, BODY),
    )
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(minutes=2))

    response = post(api, raw)

    assert response.status_code == 201
    assert credits.balance_of(funded.pk) == 80
    assert IdempotencyRecord.objects.get().status_code == 201


def test_a_request_whose_claim_was_taken_over_rolls_its_charge_back(
    api: Client, funded: Any, live_key: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, raw = live_key

    def taken_over(claim: idempotency.Claim, status_code: int, body: str) -> None:
        raise idempotency.InFlight

    monkeypatch.setattr(idempotency, "finish", taken_over)

    response = post(api, raw)

    assert response.status_code == 409
    assert "in flight" in response.json()["error"]["message"]
    assert Generation.objects.count() == 0
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CHARGE).count() == 0
    assert credits.balance_of(funded.pk) == 100


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


def test_a_database_failure_after_the_claim_lets_the_key_go_for_the_retry(
    api: Client, funded: Any, live_key: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, raw = live_key
    real_create = generations.create

    def lost_connection(**kwargs: Any) -> Generation:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(generations, "create", lost_connection)
    failed = post(api, raw)
    monkeypatch.setattr(generations, "create", real_create)
    retry = post(api, raw)

    assert failed.status_code == 503
    assert failed.json()["error"]["code"] == "service_unavailable"
    assert retry.status_code == 201
    assert credits.balance_of(funded.pk) == 80
    assert charges(funded.pk) == 1


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


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalog")
def test_concurrent_duplicates_are_charged_once(alice: Any, make_key: MakeKey) -> None:
    credits.grant(alice, 1000, reason="test funds")
    _, raw = make_key(alice, "live")
    Client().get("/v1/account", **bearer(raw))  # warm: first use recorded, key verified
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    responses: list[Any] = []
    lock = threading.Lock()

    def send() -> None:
        try:
            barrier.wait(timeout=30)
            response = post(Client(), raw, idempotency_key="concurrent-1")
            with lock:
                responses.append(response)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    created = [response for response in responses if response.status_code == 201]
    conflicts = [response for response in responses if response.status_code == 409]
    assert len(responses) == threads_count
    assert len(created) + len(conflicts) == threads_count
    assert len({response.json()["id"] for response in created}) == 1
    assert all("in flight" in r.json()["error"]["message"] for r in conflicts)
    assert Generation.objects.filter(owner=alice).count() == 1
    assert charges(alice.pk) == 1
    assert credits.balance_of(alice.pk) == 980 == credits.ledger_sum(alice.pk)


def test_a_slow_first_request_that_finishes_before_the_takeover_is_charged_once(
    api: Client, funded: Any, live_key: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The retry reads an abandoned-looking claim; the slow first request stores its
    answer; only then does the retry try to take the claim over. It must not."""
    key, raw = live_key
    first = idempotency.begin(
        account_id=funded.pk,
        environment="live",
        key="retry-me-1",
        request_fingerprint=idempotency.fingerprint(MODEL, BODY),
    )
    assert isinstance(first, idempotency.Claim)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    real_take_over = idempotency._take_over

    def first_finishes_meanwhile(*args: Any) -> bool:
        generation = generations.create(
            api_key=key,
            model=VideoModel.objects.get(pk=MODEL),
            prompt=str(BODY["prompt"]),
            params={},
        )
        idempotency.finish(first, 201, json.dumps({"id": str(generation.pk)}))
        return real_take_over(*args)

    monkeypatch.setattr(idempotency, "_take_over", first_finishes_meanwhile)

    retry = post(api, raw)

    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert charges(funded.pk) == 1
    assert Generation.objects.filter(owner=funded).count() == 1
    assert credits.balance_of(funded.pk) == 80
