"""Hostile paths and methods on /v1: odd model and generation ids, another account's or the
other environment's generation, unsupported methods and a missing scope are refused in
the envelope and change nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.api.helpers import (
    MODEL,
    PROPERTY,
    World,
    _odd_ids,
    assert_refused_in_the_envelope,
    path_for,
    send,
)
from tests.support import bearer


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
