"""Helpers shared by the tests/api test modules (plain functions and constants)."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote

from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from apikeys import services
from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.api.models import IdempotencyRecord
from clipia_console.api.serializers import ASPECT_RATIOS, MAX_PROMPT_LENGTH
from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations import services as generations
from clipia_console.generations.models import Generation, VideoModel
from tests.support import MakeKey, bearer

PROPERTY = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


MODEL = "clipia/motion-v1"
BODY_FIELDS = {"prompt", "duration_seconds", "aspect_ratio", "seed"}


class World:
    """Alice (funded, a warm live key and a warm test key, one generation of each), Bob
    (his own key and generation), and a key without the generate scope."""

    def __init__(self, alice: Any, bob: Any, make_key: MakeKey) -> None:
        credits.grant(alice, 100, reason="test funds")
        self.live, self.live_raw = make_key(alice, "live")
        self.test, self.test_raw = make_key(alice, "test")
        self.read_only, self.read_only_raw = make_key(alice, "live", scopes=("read",))
        self.bobs, self.bobs_raw = make_key(bob, "test")
        self.revoked, self.revoked_raw = make_key(alice, "live", name="revoked")
        services.revoke_key(self.revoked, actor=services.Actor.command("tests"))
        model = VideoModel.objects.get(pk=MODEL)
        self.alice_live_generation = generations.create(
            api_key=self.live, model=model, prompt="a kite", params={}
        )
        self.bob_generation = generations.create(
            api_key=self.bobs, model=model, prompt="a boat", params={}
        )
        self.real_keys = {
            self.live_raw,
            self.test_raw,
            self.read_only_raw,
            self.bobs_raw,
            self.revoked_raw,
        }
        client = Client()
        for raw in self.real_keys - {self.revoked_raw}:
            assert client.get("/v1/account", **bearer(raw)).status_code == 200  # warm

    def snapshot(self) -> tuple[Any, ...]:
        return (
            [credits.balance_of(user) for user in (self.live.owner_id, self.bobs.owner_id)],
            LedgerEntry.objects.count(),
            credits.ledger_sum(self.live.owner_id),
            sorted(Generation.objects.values_list("id", "status")),
            sorted(
                ApiKey.objects.values_list("id", "hashed_key", "revoked_at", "scopes", "owner_id")
            ),
            ApiKeyEvent.objects.count(),
            IdempotencyRecord.objects.count(),
        )


_json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=50)
)


_json_values = st.recursive(
    _json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def _is_json_object(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw), dict)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False


_bad_prompts = st.one_of(
    st.none(),
    st.integers(),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    st.sampled_from(["", " ", "\n\t  "]),
    st.text(min_size=MAX_PROMPT_LENGTH + 1, max_size=MAX_PROMPT_LENGTH + 50).filter(
        lambda text: len(text.strip()) > MAX_PROMPT_LENGTH
    ),
    st.tuples(st.text(max_size=20), st.sampled_from(["\x00", "\x01", "\x1b", "\x7f"])).map("".join),
)


_bad_optional = st.one_of(
    st.fixed_dictionaries({"duration_seconds": st.integers(max_value=0) | st.integers(11)}),
    st.fixed_dictionaries({"duration_seconds": st.sampled_from(["five", "", 2.5, [], {}])}),
    st.fixed_dictionaries(
        {"aspect_ratio": st.text(max_size=10).filter(lambda ratio: ratio not in ASPECT_RATIOS)}
    ),
    st.fixed_dictionaries({"seed": st.integers(max_value=-1) | st.integers(2**31)}),
)


def invalid_bodies() -> st.SearchStrategy[tuple[str, bytes]]:
    """(content type, body) pairs that POST /v1/models/{model} must refuse."""
    as_json = "application/json"
    return st.one_of(
        st.binary(max_size=300)
        .filter(lambda raw: not _is_json_object(raw))
        .map(lambda raw: (as_json, raw)),
        _json_values.filter(lambda value: not isinstance(value, dict)).map(
            lambda value: (as_json, json.dumps(value).encode())
        ),
        st.dictionaries(st.text(max_size=15), _json_values, min_size=1, max_size=5)
        .filter(lambda body: set(body) - BODY_FIELDS)
        .map(lambda body: (as_json, json.dumps({"prompt": "ok", **body}).encode())),
        _bad_prompts.map(lambda prompt: (as_json, json.dumps({"prompt": prompt}).encode())),
        _bad_optional.map(lambda extra: (as_json, json.dumps({"prompt": "ok", **extra}).encode())),
        st.integers(1, 5).map(lambda n: (as_json, b"[" * (10_000 * n) + b"]" * (10_000 * n))),
        st.just((as_json, b'{"prompt": "' + b"x" * (70 * 1024) + b'"}')),  # over 64 KiB
        st.just((as_json, b'{"prompt": NaN}')),
        st.just((as_json, b'{"prompt": "ok", "prompt": 1}')),
        st.tuples(
            st.sampled_from(
                [
                    "text/plain",
                    "application/x-www-form-urlencoded",
                    "multipart/form-data; boundary=x",
                    "application/xml",
                    "application/jsonx",
                    "",
                ]
            ),
            st.just(b'{"prompt": "a valid prompt"}'),
        ),
    )


_odd_ids = st.one_of(
    st.text(max_size=120),
    st.text(min_size=200, max_size=2000),
    st.sampled_from(
        ["../../etc/passwd", "clipia/motion-v1/", "CLIPIA/MOTION-V1", "%00", "clipia//motion-v1"]
    ),
    st.builds(lambda: str(uuid.uuid4())),
).filter(lambda odd: odd not in VideoModel.objects.values_list("id", flat=True))


def path_for(odd: str) -> str:
    return quote(odd, safe="/")


def assert_refused_in_the_envelope(response: Any) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    return dict(error)


def send(method: str, path: str, meta: dict[str, Any], content_type: str, body: bytes) -> Any:
    client = Client()
    return client.generic(method, path, data=body, content_type=content_type, **meta)


MOTION = "/v1/models/clipia/motion-v1"


def post_json(api: Client, path: str, raw_key: str, body: Any, **extra: Any) -> Any:
    return api.post(
        path, data=json.dumps(body), content_type="application/json", **bearer(raw_key), **extra
    )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


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


def operations(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": op
        for path, item in schema["paths"].items()
        for method, op in item.items()
    }
