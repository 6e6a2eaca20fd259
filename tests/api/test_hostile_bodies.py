"""Hostile generation bodies, property-based: invalid fields and bodies without a length are
refused in the envelope and charge nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.api.helpers import (
    MODEL,
    PROPERTY,
    World,
    assert_refused_in_the_envelope,
    invalid_bodies,
    send,
)
from tests.support import bearer


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
