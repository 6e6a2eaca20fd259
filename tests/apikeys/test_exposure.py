"""Leaked-key intake: POST /v1/keys/revoke, unauthenticated, retires every working
credential it is sent, answers 202 with the count whatever existed, and tells the owner."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from apikeys import keys, rolling, services
from apikeys.models import ApiKey, ApiKeyEvent
from tests.support import bearer

REVOKE = "/v1/keys/revoke"


def report(api: Client, *raw_keys: str, address: str = "203.0.113.5") -> Any:
    return api.post(
        REVOKE,
        data=json.dumps({"keys": list(raw_keys)}),
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def test_a_reported_key_is_revoked_at_once_and_the_owner_is_told(
    api: Client, live_key: tuple[ApiKey, str], django_capture_on_commit_callbacks: Any
) -> None:
    row, raw = live_key

    with django_capture_on_commit_callbacks(execute=True):
        response = report(api, raw)

    assert response.status_code == 202
    assert response.json() == {"object": "exposure_report", "received": 1}
    assert api.get("/v1/account", **bearer(raw)).status_code == 401
    event = row.events.get(kind=ApiKeyEvent.Kind.REVOKED)
    assert event.actor_kind == ApiKeyEvent.ActorKind.REPORT
    assert event.reason == rolling.EXPOSED
    assert len(mail.outbox) == 1
    assert "exposed" in mail.outbox[0].subject and raw not in mail.outbox[0].body
    assert row.display_prefix in mail.outbox[0].body


def test_the_answer_is_the_same_whatever_the_keys_were(
    api: Client, live_key: tuple[ApiKey, str]
) -> None:
    row, raw = live_key
    wrong = keys.generate_key("live", row.lookup_id)
    unknown = keys.generate_key("live", keys.generate_lookup_id())

    answers = [report(api, k, "not a key at all").content for k in (raw, wrong, unknown)]

    assert len(set(answers)) == 1
    assert json.loads(answers[0]) == {"object": "exposure_report", "received": 2}


def test_a_wrong_secret_for_a_real_id_revokes_nothing(
    api: Client, live_key: tuple[ApiKey, str]
) -> None:
    row, raw = live_key

    report(api, keys.generate_key("live", row.lookup_id))

    assert api.get("/v1/account", **bearer(raw)).status_code == 200


def test_an_old_secret_in_its_grace_is_retired_and_the_new_one_keeps_working(
    api: Client, live_key: tuple[ApiKey, str]
) -> None:
    row, old = live_key
    _, new = rolling.roll_key(row, grace=timedelta(days=1), actor=services.Actor.command("t"))

    report(api, old)

    assert api.get("/v1/account", **bearer(old)).status_code == 401
    assert api.get("/v1/account", **bearer(new)).status_code == 200
    assert row.events.get(kind=ApiKeyEvent.Kind.SECRET_RETIRED).reason == rolling.EXPOSED


@pytest.mark.parametrize(
    "body",
    [
        {"keys": []},
        {"keys": ["x"] * 101},
        {"keys": "clipia_live_abc"},
        {"keys": [1, 2]},
        {"other": []},
        ["clipia_live_abc"],
    ],
)
def test_a_malformed_report_gets_400_in_the_envelope(api: Client, db: Any, body: Any) -> None:
    response = api.post(REVOKE, data=json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


def test_reports_are_rate_limited_per_address(api: Client, db: Any, settings: Any) -> None:
    settings.APIKEYS_EXPOSURE_REPORTS_PER_ADDRESS = 3

    answers = [report(api, "clipia_live_x") for _ in range(5)]
    elsewhere = report(api, "clipia_live_x", address="198.51.100.9")

    assert [answer.status_code for answer in answers] == [202, 202, 202, 429, 429]
    refused = answers[-1]
    wait = refused["Retry-After"]
    assert refused.json()["error"] == {
        "code": "rate_limited",
        "message": f"Too many leaked-key reports from this address. Retry after {wait} seconds.",
    }
    assert elsewhere.status_code == 202


def test_argon2_runs_only_for_candidates_that_exist(
    api: Client, live_key: tuple[ApiKey, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from apikeys import hashing

    calls: list[str] = []

    def refuse(stored_hash: str, raw_key: str) -> bool:
        calls.append(stored_hash)
        return False

    monkeypatch.setattr(hashing, "verify_slow", refuse)
    row, _ = live_key
    ApiKey.objects.filter(pk=row.pk).update(verifier="")
    unknown = [keys.generate_key("live", keys.generate_lookup_id()) for _ in range(5)]

    report(api, *unknown, "clipia_live_" + "x" * 50, keys.generate_key("live", row.lookup_id))

    assert calls == [row.hashed_key]
