"""Idempotency-Key claims under concurrency: an in-flight duplicate gets 409, a dead request's
claim is taken over (its charge rolled back), a database failure lets the key go, and
concurrent or slow duplicates are charged once."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from clipia_console.api import idempotency
from clipia_console.api.models import IdempotencyRecord
from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations import services as generations
from clipia_console.generations.models import Generation, VideoModel
from tests.api.helpers import BODY, MODEL, charges, post
from tests.support import MakeKey, bearer


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
