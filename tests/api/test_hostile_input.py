"""Hostile input, property-based: whatever a client sends, /v1 answers a clear 4xx in the
envelope, never a 5xx, and a refused request changes nothing (balance, ledger,
generations, keys, idempotency records)."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from apikeys import keys, services, verification
from apikeys.credentials import extract_key
from apikeys.exceptions import ConflictingCredentials, InvalidApiKey, VerificationRateLimited
from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.api.envelope import envelope
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


@pytest.fixture
def world(alice: Any, bob: Any, make_key: MakeKey) -> World:
    return World(alice, bob, make_key)


# --- strategies ------------------------------------------------------------------------

_any_text = st.text(max_size=300)
_control_or_unicode = st.text(
    alphabet=st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "Lo", "So")),
    min_size=1,
    max_size=20,
)


def _with_checksum(unsigned: str) -> str:
    return unsigned + keys.checksum(unsigned)


def mutated_keys(real: str) -> st.SearchStrategy[str]:
    """Small and large mutations of a real key: all must be refused."""
    head = len(keys.key_prefix("live"))
    lookup_end = head + keys.LOOKUP_ID_LENGTH
    other_env = "test" if real.startswith(keys.key_prefix("live")) else "live"
    base62 = st.text(alphabet=keys.BASE62_ALPHABET, min_size=1, max_size=1)
    return st.one_of(
        st.integers(0, len(real) - 1).map(lambda i: real[:i]),  # truncated
        # Padded with more than white space: a header's surrounding white space is not part
        # of its value (RFC 9110), so "<key> " is the key, as every HTTP server reads it.
        _any_text.filter(lambda pad: pad.strip() != "").map(lambda pad: real + pad),
        _any_text.filter(lambda pad: pad.strip() != "").map(lambda pad: pad + real),
        st.just(real.upper()),
        st.just(real[:-1] + ("A" if real[-1] != "A" else "B")),  # wrong checksum
        # The other environment's prefix with a recomputed, valid checksum.
        st.just(_with_checksum(keys.key_prefix(other_env) + real[head : -keys.CHECKSUM_LENGTH])),
        # Valid checksum, unknown id.
        st.text(alphabet=keys.BASE62_ALPHABET, min_size=12, max_size=12).map(
            lambda lookup: _with_checksum(
                real[:head] + lookup + real[lookup_end : -keys.CHECKSUM_LENGTH]
            )
        ),
        # Valid checksum, real id, another secret.
        st.text(alphabet=keys.BASE62_ALPHABET, min_size=32, max_size=32).map(
            lambda secret: _with_checksum(real[:lookup_end] + secret)
        ),
        # One character replaced by anything at all.
        st.tuples(st.integers(0, len(real) - 1), _control_or_unicode).map(
            lambda cut: real[: cut[0]] + cut[1] + real[cut[0] + 1 :]
        ),
        st.tuples(st.integers(0, len(real) - 1), base62).map(
            lambda cut: real[: cut[0]] + cut[1] + real[cut[0] + 1 :]
        ),
    ).filter(lambda candidate: candidate != real)


def hostile_credentials(world: World) -> st.SearchStrategy[str]:
    return st.one_of(
        _any_text,
        st.text(min_size=257, max_size=5000),  # oversized
        _control_or_unicode,
        st.sampled_from(sorted(world.real_keys)).flatmap(mutated_keys),
        st.just(world.revoked_raw),
    ).filter(lambda candidate: candidate not in world.real_keys - {world.revoked_raw})


_schemes = st.sampled_from(["Bearer", "bearer", "BEARER", "Key", "key", "Basic", "Token", ""])


def hostile_auth_headers(world: World) -> st.SearchStrategy[dict[str, str]]:
    """Headers that must not authenticate: one bad credential in either place, both places
    with different keys, a real key under a foreign scheme, or nothing at all."""
    bad = hostile_credentials(world)
    real = st.sampled_from(sorted(world.real_keys))
    authorization = st.tuples(_schemes, st.sampled_from([" ", "  ", "\t", ""]), bad).map(
        lambda parts: {"HTTP_AUTHORIZATION": "".join(parts)}
    )
    return st.one_of(
        st.just({}),
        authorization,
        bad.map(lambda value: {"HTTP_X_API_KEY": value}),
        st.tuples(authorization, bad).map(lambda pair: {**pair[0], "HTTP_X_API_KEY": pair[1]}),
        # Both schemes at once, a real key in one and something else in the other.
        st.tuples(real, bad).map(
            lambda pair: {"HTTP_AUTHORIZATION": f"Bearer {pair[0]}", "HTTP_X_API_KEY": pair[1]}
        ),
        st.tuples(real, real)
        .filter(lambda pair: pair[0] != pair[1])
        .map(lambda pair: {"HTTP_AUTHORIZATION": f"Key {pair[0]}", "HTTP_X_API_KEY": pair[1]}),
        st.tuples(st.sampled_from(["Basic", "Token", "Digest"]), real).map(
            lambda pair: {"HTTP_AUTHORIZATION": f"{pair[0]} {pair[1]}"}
        ),
        st.builds(lambda: {"HTTP_AUTHORIZATION": f"Bearer {world.revoked_raw}"}),
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


# --- the properties --------------------------------------------------------------------


def assert_refused_in_the_envelope(response: Any) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    return dict(error)


@pytest.mark.django_db
@PROPERTY
@given(data=st.data())
def test_the_header_parser_finds_no_valid_key_in_hostile_headers(
    world: World, data: st.DataObject
) -> None:
    meta = data.draw(hostile_auth_headers(world))
    try:
        raw = extract_key(meta)
    except (InvalidApiKey, ConflictingCredentials) as refused:
        # A fixed message: nothing from the headers is echoed back.
        assert str(refused) in ("invalid API key", "")
        return
    if raw is None:
        return
    with pytest.raises((InvalidApiKey, VerificationRateLimited)):
        verification.authenticate_key(raw, client_address="203.0.113.9")


_METHODS = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])


def _paths(world: World) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            [
                "/v1/account",
                "/v1/models",
                f"/v1/models/{MODEL}",
                f"/v1/generations/{world.alice_live_generation.pk}",
                "/v1/",
            ]
        ),
        _odd_ids.map(lambda odd: "/v1/models/" + path_for(odd)),
        _odd_ids.map(lambda odd: "/v1/generations/" + path_for(odd)),
        _odd_ids.map(lambda odd: "/v1/" + path_for(odd)),
    )


def send(method: str, path: str, meta: dict[str, Any], content_type: str, body: bytes) -> Any:
    client = Client()
    return client.generic(method, path, data=body, content_type=content_type, **meta)


@pytest.mark.django_db
@PROPERTY
@given(data=st.data())
def test_every_endpoint_refuses_hostile_credentials_and_changes_nothing(
    world: World, data: st.DataObject
) -> None:
    before = world.snapshot()
    meta = data.draw(hostile_auth_headers(world))
    body = data.draw(
        st.one_of(st.just(("application/json", b'{"prompt": "ok"}')), invalid_bodies())
    )

    response = send(data.draw(_METHODS), data.draw(_paths(world)), meta, *body)

    error = assert_refused_in_the_envelope(response)
    assert error["code"] in (
        "invalid_api_key",
        "invalid_request",
        "rate_limited",
        "not_found",
        "payload_too_large",
    )
    assert world.snapshot() == before


@pytest.mark.django_db
@PROPERTY
@given(data=st.data())
def test_generation_requests_with_invalid_bodies_are_refused_and_charge_nothing(
    world: World, data: st.DataObject
) -> None:
    before = world.snapshot()
    raw = data.draw(st.sampled_from([world.live_raw, world.test_raw]))
    headers = bearer(raw)
    if data.draw(st.booleans()):
        headers["HTTP_IDEMPOTENCY_KEY"] = data.draw(
            st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1)
        )

    response = send("POST", f"/v1/models/{MODEL}", headers, *data.draw(invalid_bodies()))

    error = assert_refused_in_the_envelope(response)
    assert error["code"] in ("invalid_request", "unsupported_media_type", "payload_too_large")
    assert world.snapshot() == before


@pytest.mark.django_db
@PROPERTY
@given(data=st.data())
def test_odd_model_and_generation_ids_are_404_and_change_nothing(
    world: World, data: st.DataObject
) -> None:
    before = world.snapshot()
    odd = path_for(data.draw(_odd_ids))
    method, path = data.draw(
        st.sampled_from(
            [
                ("GET", f"/v1/models/{odd}"),
                ("POST", f"/v1/models/{odd}"),
                ("GET", f"/v1/generations/{odd}"),
                ("GET", f"/v1/{odd}"),
            ]
        )
    )

    response = send(method, path, bearer(world.live_raw), "application/json", b'{"prompt": "ok"}')

    error = assert_refused_in_the_envelope(response)
    assert error["code"] in ("not_found", "model_not_found", "method_not_allowed")
    assert world.snapshot() == before


def test_another_accounts_generation_is_404(api: Client, world: World) -> None:
    response = api.get(f"/v1/generations/{world.bob_generation.pk}", **bearer(world.live_raw))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_live_generation_is_404_to_the_same_accounts_test_key(api: Client, world: World) -> None:
    response = api.get(
        f"/v1/generations/{world.alice_live_generation.pk}", **bearer(world.test_raw)
    )

    assert response.status_code == 404


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/v1/account", "/v1/models", f"/v1/models/{MODEL}"])
def test_unsupported_methods_are_405_and_change_nothing(
    world: World, method: str, path: str
) -> None:
    before = world.snapshot()

    response = send(method, path, bearer(world.live_raw), "application/json", b'{"prompt": "ok"}')

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert world.snapshot() == before


def test_a_key_without_the_generate_scope_is_403_and_charges_nothing(world: World) -> None:
    before = world.snapshot()

    response = send(
        "POST",
        f"/v1/models/{MODEL}",
        bearer(world.read_only_raw),
        "application/json",
        b'{"prompt": "a kite"}',
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert world.snapshot() == before


# Every code point class, surrogates included: no category excluded, no codec.
_any_code_point = st.characters(codec=None, exclude_categories=())
_every_text = st.text(alphabet=_any_code_point, max_size=30)
_lone_surrogate = st.characters(
    min_codepoint=0xD800, max_codepoint=0xDFFF, codec=None, exclude_categories=()
)
# Fenced by "x" so that json.dumps's escapes cannot pair it with a neighbour into one
# valid character.
_with_lone_surrogate = st.tuples(_every_text, _lone_surrogate, _every_text).map(
    lambda parts: f"{parts[0]}x{parts[1]}x{parts[2]}"
)
_every_json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), _every_text),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(_every_text, children, max_size=3)
    ),
    max_leaves=6,
)


def bodies_with_any_text() -> st.SearchStrategy[bytes]:
    """Bodies a generation must refuse, whose field names or values use every code point
    class: an unknown field name of any text, or a lone surrogate in a name or a value."""
    refused: st.SearchStrategy[dict[str, Any]] = st.one_of(
        st.tuples(_every_text.filter(lambda name: name not in BODY_FIELDS), _every_json_value).map(
            lambda pair: {"prompt": "ok", pair[0]: pair[1]}
        ),
        st.tuples(_with_lone_surrogate, _every_json_value).map(
            lambda pair: {"prompt": "ok", pair[0]: pair[1]}
        ),
        _with_lone_surrogate.map(lambda prompt: {"prompt": prompt}),
        st.tuples(st.sampled_from(sorted(BODY_FIELDS - {"prompt"})), _with_lone_surrogate).map(
            lambda pair: {"prompt": "ok", pair[0]: pair[1]}
        ),
        _with_lone_surrogate.map(lambda text: {"prompt": "ok", "seed": [text]}),
    )
    return refused.map(lambda body: json.dumps(body).encode())


@pytest.mark.django_db
@PROPERTY
@given(data=st.data())
def test_field_names_and_values_of_any_code_point_are_refused_and_charge_nothing(
    world: World, data: st.DataObject
) -> None:
    before = world.snapshot()
    raw = data.draw(st.sampled_from([world.live_raw, world.test_raw]))

    body = data.draw(bodies_with_any_text())
    response = send("POST", f"/v1/models/{MODEL}", bearer(raw), "application/json", body)

    error = assert_refused_in_the_envelope(response)
    assert error["code"] == "invalid_request"
    response.content.decode("utf-8")  # what we answer is always UTF-8 text
    assert world.snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"\\ud800": "a field named by half a surrogate pair"}',
        b'{"prompt": "ok", "\\udfff": 1}',
        b'{"prompt": "a kite \\ud800"}',
        b'{"prompt": "ok", "aspect_ratio": "\\udc00"}',
        b'{"prompt": "ok", "seed": ["\\ud83d"]}',
    ],
)
def test_a_lone_surrogate_anywhere_in_the_body_is_400_invalid_request(
    world: World, body: bytes
) -> None:
    before = world.snapshot()

    response = send("POST", f"/v1/models/{MODEL}", bearer(world.live_raw), "application/json", body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert "surrogate" in error["message"]
    assert world.snapshot() == before


def test_a_surrogate_pair_escape_is_one_character_and_accepted(world: World) -> None:
    body = b'{"prompt": "a kite \\ud83d\\ude00"}'

    response = send("POST", f"/v1/models/{MODEL}", bearer(world.test_raw), "application/json", body)

    assert response.status_code == 201
    assert response.json()["prompt"] == "a kite \N{GRINNING FACE}"


def test_an_error_message_quoting_unencodable_text_still_renders() -> None:
    data = envelope(
        "invalid_request",
        "Invalid request. \ud800: Unknown field.",
        fields={"\udfff": ["Unknown field."]},
    )

    rendered = json.loads(JSONRenderer().render(data))

    assert rendered["error"]["message"] == "Invalid request. ?: Unknown field."
    assert rendered["error"]["fields"] == {"?": ["Unknown field."]}


@pytest.mark.django_db
@PROPERTY
@given(data=st.data())
def test_a_body_without_a_length_is_refused_with_411_and_changes_nothing(
    world: World, data: st.DataObject
) -> None:
    """A chunked body (Transfer-Encoding, no Content-Length), valid or not, under any key:
    411 length_required, never read as empty and never charged."""
    before = world.snapshot()
    raw = data.draw(st.sampled_from([world.live_raw, world.test_raw, world.revoked_raw]))
    content_type, body = data.draw(
        st.one_of(st.just(("application/json", b'{"prompt": "a kite"}')), invalid_bodies())
    )
    meta = {
        **bearer(raw),
        "HTTP_TRANSFER_ENCODING": data.draw(st.sampled_from(["chunked", "gzip, chunked"])),
        "CONTENT_LENGTH": "",
    }
    path = data.draw(st.sampled_from([f"/v1/models/{MODEL}", "/v1/keys/revoke", "/v1/account"]))

    response = send("POST", path, meta, content_type, body)

    error = assert_refused_in_the_envelope(response)
    assert response.status_code == 411 and error["code"] == "length_required"
    assert world.snapshot() == before
