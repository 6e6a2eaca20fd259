"""Per-key limits on generation requests: each key may send so many valid
POST /v1/models/{model} a minute (its environment's default, or its own limit set by
staff); past that, 429 rate_limited with Retry-After, nothing generated or charged. Every
counted answer tells the client where it stands in the IETF RateLimit fields."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations import request_limits
from clipia_console.generations.models import Generation
from clipia_console.lib import ratelimit
from tests.support import MakeKey, bearer

MOTION = "/v1/models/clipia/motion-v1"  # 20 credits
BODY = {"prompt": "a red kite over the dunes"}


def generate(api: Client, raw: str, body: Any = BODY, **extra: Any) -> Any:
    return api.post(
        MOTION, data=json.dumps(body), content_type="application/json", **bearer(raw), **extra
    )


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """The rate limiter's clock, at the start of a minute; move it with ``clock.now``."""
    fake = SimpleNamespace(now=1_800_000_000.0)
    monkeypatch.setattr(
        ratelimit, "time", SimpleNamespace(time=lambda: fake.now, monotonic=lambda: fake.now)
    )
    return fake


def test_a_test_key_may_send_20_generation_requests_a_minute_by_default(
    api: Client, test_key: tuple[ApiKey, str], clock: SimpleNamespace
) -> None:
    _, raw = test_key
    answers = [generate(api, raw).status_code for _ in range(20)]

    refused = generate(api, raw)

    assert answers == [201] * 20
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert "20 generation requests a minute" in error["message"]
    assert refused["Retry-After"] == "60"
    assert Generation.objects.count() == 20


def test_a_live_key_gets_the_live_default_and_is_not_charged_when_refused(
    api: Client, funded: User, live_key: tuple[ApiKey, str], settings: Any, clock: SimpleNamespace
) -> None:
    settings.CLIPIA_GENERATION_LIMIT_PER_MINUTE_LIVE = 2
    _, raw = live_key

    answers = [generate(api, raw).status_code for _ in range(3)]

    assert answers == [201, 201, 429]
    assert credits.balance_of(funded.pk) == 60
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CHARGE).count() == 2


def test_the_limit_staff_set_on_a_key_replaces_its_environments_default(
    api: Client, test_key: tuple[ApiKey, str], clock: SimpleNamespace
) -> None:
    key, raw = test_key
    key.generation_rate_limit = 1
    key.save(update_fields=["generation_rate_limit"])

    answers = [generate(api, raw).status_code for _ in range(2)]

    assert answers == [201, 429]
    assert ApiKey.objects.get(pk=key.pk).generation_rate_limit == 1


def test_the_limit_is_per_key(
    api: Client, alice: User, make_key: MakeKey, clock: SimpleNamespace
) -> None:
    first, first_raw = make_key(alice, "test", name="first")
    _, second_raw = make_key(alice, "test", name="second")
    first.generation_rate_limit = 1
    first.save(update_fields=["generation_rate_limit"])
    generate(api, first_raw)

    assert generate(api, first_raw).status_code == 429
    assert generate(api, second_raw).status_code == 201


def test_the_next_minute_allows_requests_again(
    api: Client, test_key: tuple[ApiKey, str], clock: SimpleNamespace
) -> None:
    key, raw = test_key
    key.generation_rate_limit = 1
    key.save(update_fields=["generation_rate_limit"])
    generate(api, raw)
    clock.now += 45
    refused = generate(api, raw)

    clock.now += 15

    assert refused.status_code == 429
    assert refused["Retry-After"] == "15"
    assert generate(api, raw).status_code == 201


def _field(value: str) -> dict[str, str]:
    """A RateLimit field's parameters: '"generate";r=19;t=60' -> {"": "generate", "r": "19", …}."""
    name, *params = value.split(";")
    assert re.fullmatch(r'"[a-z]+"', name), value
    return {"": name.strip('"'), **dict(param.split("=", 1) for param in params)}


def test_every_counted_answer_carries_the_ratelimit_fields(
    api: Client, test_key: tuple[ApiKey, str], clock: SimpleNamespace
) -> None:
    _, raw = test_key
    clock.now += 10

    first = generate(api, raw)
    second = generate(api, raw, HTTP_IDEMPOTENCY_KEY="once")
    replay = generate(api, raw, HTTP_IDEMPOTENCY_KEY="once")

    assert _field(first["RateLimit-Policy"]) == {"": "generate", "q": "20", "w": "60"}
    assert _field(first["RateLimit"]) == {"": "generate", "r": "19", "t": "50"}
    assert _field(second["RateLimit"])["r"] == "18"
    assert replay["Idempotent-Replayed"] == "true"
    assert _field(replay["RateLimit"])["r"] == "17"


def test_a_refused_answer_says_nothing_remains(
    api: Client, test_key: tuple[ApiKey, str], clock: SimpleNamespace
) -> None:
    key, raw = test_key
    key.generation_rate_limit = 1
    key.save(update_fields=["generation_rate_limit"])
    generate(api, raw)

    refused = generate(api, raw)

    assert _field(refused["RateLimit-Policy"]) == {"": "generate", "q": "1", "w": "60"}
    assert _field(refused["RateLimit"]) == {"": "generate", "r": "0", "t": "60"}
    assert refused["Cache-Control"] == "no-store"


def test_a_402_is_counted_and_says_so(
    api: Client, alice: User, live_key: tuple[ApiKey, str], clock: SimpleNamespace
) -> None:
    response = generate(api, live_key[1])

    assert response.status_code == 402
    assert _field(response["RateLimit"])["r"] == "59"


def test_refused_bodies_and_reads_neither_count_nor_touch_the_counter(
    api: Client, test_key: tuple[ApiKey, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key, raw = test_key

    def no_counter(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the generation counter was touched")

    monkeypatch.setattr(ratelimit, "hit", no_counter)
    monkeypatch.setattr(ratelimit, "current", no_counter)

    assert api.get("/v1/account", **bearer(raw)).status_code == 200
    assert api.get(MOTION, **bearer(raw)).status_code == 200
    assert generate(api, raw, body={"prompt": ""}).status_code == 400
    assert generate(api, raw, body={"prompt": "x", "typo": 1}).status_code == 400
    assert (
        api.post(
            "/v1/models/nope", data="{}", content_type="application/json", **bearer(raw)
        ).status_code
        == 404
    )


def test_a_key_without_the_generate_scope_is_refused_before_counting(
    api: Client, alice: User, make_key: MakeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, raw = make_key(alice, "test", scopes=("read",))
    monkeypatch.setattr(ratelimit, "hit", lambda *a, **k: pytest.fail("counted"))

    assert generate(api, raw).status_code == 403


def test_counting_past_the_limit_raises_one_domain_exception_carrying_the_standing(
    make_key: MakeKey, alice: User, settings: Any
) -> None:
    settings.CLIPIA_GENERATION_LIMIT_PER_MINUTE_LIVE = 1
    key, _ = make_key(alice, "live")

    first = request_limits.count_generation(key)
    with pytest.raises(request_limits.TooManyGenerations) as refused:
        request_limits.count_generation(key)

    assert (first.limit, first.remaining) == (1, 0)
    assert refused.value.standing is not None and refused.value.standing.remaining == 0
    assert refused.value.wait > 0 and "1 generation requests a minute" in str(refused.value)
