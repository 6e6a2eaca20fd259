"""Magic prompts: with a test key, `clipia-sandbox:…` prompts rehearse failures through
HTTP; a live key treats them as ordinary text."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations import sandbox
from clipia_console.generations.models import Generation
from clipia_console.lib import clock
from tests.support import MakeKey, bearer, budget

MODEL = "/v1/models/clipia/motion-v1"


def generate(api: Client, raw_key: str, prompt: str, **headers: Any) -> Any:
    return api.post(
        MODEL, {"prompt": prompt}, content_type="application/json", **bearer(raw_key), **headers
    )


@pytest.fixture
def key(test_key: tuple[ApiKey, str]) -> str:
    return test_key[1]


def test_fail_ends_failed_with_a_realistic_error(api: Client, key: str) -> None:
    response = generate(api, key, "clipia-sandbox:fail a fox in the snow")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "failed"
    assert body["error"] == sandbox.FAILURE_MESSAGE
    assert body["result"] is None and body["completed_at"] is not None
    read = api.get(f"/v1/generations/{body['id']}", **bearer(key)).json()
    assert read["status"] == "failed" and read["error"] == sandbox.FAILURE_MESSAGE
    assert Generation.objects.get(pk=body["id"]).status == Generation.Status.FAILED


def test_slow_is_queued_then_running_then_succeeded(
    api: Client, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = generate(api, key, "clipia-sandbox:slow")
    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    assert response.json()["result"] is None
    created = Generation.objects.get().created_at
    path = f"/v1/generations/{response.json()['id']}"

    seen = []
    for seconds in (1, 3, 5, 6, 60):
        monkeypatch.setattr(clock, "now", lambda s=seconds: created + timedelta(seconds=s))
        body = api.get(path, **bearer(key)).json()
        seen.append(body["status"])
        if body["status"] != "succeeded":
            assert body["result"] is None and body["completed_at"] is None
    assert seen == ["queued", "running", "running", "succeeded", "succeeded"]
    assert body["result"]["mock"] is True
    assert body["completed_at"] == (created + sandbox.SUCCEEDS_AFTER).isoformat()


def test_insufficient_credits_answers_as_a_live_key_on_an_empty_account(
    api: Client, key: str, alice: User, make_key: MakeKey
) -> None:
    _, live = make_key(alice, "live")

    rehearsed = generate(api, key, "clipia-sandbox:insufficient-credits")
    real = generate(api, live, "a fox")

    assert rehearsed.status_code == real.status_code == 402
    assert rehearsed.json() == real.json()
    assert rehearsed.json()["error"]["code"] == "insufficient_credits"
    assert Generation.objects.count() == 0


def test_insufficient_credits_says_balance_0_whatever_the_test_account_holds(
    api: Client, key: str, alice: User
) -> None:
    credits.grant(alice, 500, reason="test")

    rehearsed = generate(api, key, "clipia-sandbox:insufficient-credits")

    assert rehearsed.status_code == 402
    assert rehearsed.json()["error"]["message"] == (
        "clipia/motion-v1 costs 20 credits and your balance is 0. Nothing was charged."
    )


def test_insufficient_credits_is_remembered_under_an_idempotency_key(api: Client, key: str) -> None:
    prompt = "clipia-sandbox:insufficient-credits"
    first = generate(api, key, prompt, HTTP_IDEMPOTENCY_KEY="retry-1")
    again = generate(api, key, prompt, HTTP_IDEMPOTENCY_KEY="retry-1")

    assert first.status_code == again.status_code == 402
    assert again["Idempotent-Replayed"] == "true"


def test_rate_limited_answers_429_with_retry_after(api: Client, key: str) -> None:
    response = generate(api, key, "clipia-sandbox:rate-limited")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert response["Retry-After"] == str(sandbox.RETRY_AFTER_SECONDS)
    assert Generation.objects.count() == 0


def test_rate_limited_is_the_answer_of_the_keys_own_limit(
    api: Client, key: str, settings: Any
) -> None:
    settings.CLIPIA_GENERATION_LIMIT_PER_MINUTE_TEST = 3
    rehearsed = generate(api, key, "clipia-sandbox:rate-limited")  # counts, as any request
    generate(api, key, "a fox")
    generate(api, key, "a fox")

    real = generate(api, key, "a fox")

    assert rehearsed.status_code == real.status_code == 429
    assert rehearsed.json()["error"]["message"] == (
        "This key may send 3 generation requests a minute. Retry after 30 seconds. "
        "Nothing was generated or charged."
    )
    wait = real["Retry-After"]
    assert real.json()["error"]["message"] == rehearsed.json()["error"]["message"].replace(
        "after 30 seconds", f"after {wait} seconds"
    )
    assert rehearsed["RateLimit-Policy"] == real["RateLimit-Policy"] == '"generate";q=3;w=60'


def test_fail_gives_its_would_be_cost_back_to_the_keys_budget(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw = test_key
    budget(row, 100)
    assert generate(api, raw, "a fox").status_code == 201  # counts its live price, 20
    spent = api.get("/v1/key", **bearer(raw)).json()["budget"]

    failed = generate(api, raw, "clipia-sandbox:fail")

    assert failed.status_code == 201 and failed.json()["status"] == "failed"
    after = api.get("/v1/key", **bearer(raw)).json()["budget"]
    assert spent["spent"] == after["spent"] == 20
    assert after["remaining"] == 80
    assert failed["Clipia-Key-Budget-Remaining"] == "80"


@pytest.mark.parametrize(
    "prompt",
    [
        "clipia-sandbox:fail",
        "clipia-sandbox:slow",
        "clipia-sandbox:insufficient-credits",
        "clipia-sandbox:rate-limited",
    ],
)
def test_live_keys_treat_magic_prompts_as_ordinary_text(
    api: Client, funded: User, make_key: MakeKey, prompt: str
) -> None:
    _, live = make_key(funded, "live")

    response = generate(api, live, prompt)

    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    assert response.json()["prompt"] == prompt
    assert response.json()["cost"] == 20
    assert credits.balance_of(funded.pk) == 80


def test_an_unknown_magic_word_and_a_prompt_that_only_mentions_one_are_ordinary(
    api: Client, key: str
) -> None:
    for prompt in ("clipia-sandbox:explode", "please clipia-sandbox:fail"):
        response = generate(api, key, prompt)
        assert response.status_code == 201
        assert response.json()["status"] == "succeeded"


def test_a_failed_sandbox_generation_charges_and_refunds_nothing(
    api: Client, key: str, funded: User
) -> None:
    generate(api, key, "clipia-sandbox:fail")

    assert credits.balance_of(funded.pk) == 100
    assert not LedgerEntry.objects.filter(generation__isnull=False).exists()
