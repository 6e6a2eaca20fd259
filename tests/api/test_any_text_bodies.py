"""Bodies of any text: field names and values of any code point, lone surrogates and
surrogate-pair escapes, and error messages quoting text that cannot be encoded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from clipia_console.api.envelope import envelope
from tests.api.helpers import (
    BODY_FIELDS,
    MODEL,
    PROPERTY,
    World,
    assert_refused_in_the_envelope,
    send,
)
from tests.support import bearer

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
