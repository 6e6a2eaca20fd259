"""Hostile credentials, property-based: the header parser finds no valid key in hostile
headers, and every /v1 endpoint refuses mutated, foreign and malformed keys in the
envelope, never a 5xx, changing nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apikeys import keys, verification
from apikeys.credentials import extract_key
from apikeys.exceptions import ConflictingCredentials, InvalidApiKey, VerificationRateLimited
from tests.api.helpers import (
    MODEL,
    PROPERTY,
    World,
    _odd_ids,
    assert_refused_in_the_envelope,
    invalid_bodies,
    path_for,
    send,
)

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
