"""Reading /v1: the account, the model catalog and one model, and generations, each readable
only by its owner in its own environment (live and test never mix)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey
from clipia_console.generations.models import Generation
from tests.api.helpers import MOTION, assert_error, post_json
from tests.support import MakeKey, bearer


def test_account_shows_the_balance_and_the_calling_key(
    api: Client, funded: User, live_key: tuple[ApiKey, str]
) -> None:
    row, raw = live_key

    body = api.get("/v1/account", **bearer(raw)).json()

    assert body["credits"] == 100
    assert body["id"] == funded.pk
    assert body["key"]["prefix"] == row.display_prefix
    assert body["key"]["environment"] == "live"


def test_the_catalog_lists_seeded_models_with_prices(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    response = api.get("/v1/models", **bearer(test_key[1]))

    assert response.status_code == 200
    models = {model["id"]: model for model in response.json()["data"]}
    assert "clipia/motion-v1" in models
    assert all("/" in model_id for model_id in models)
    assert models["clipia/motion-v1"]["price_credits"] == 20


def test_one_model_is_readable_by_its_slashed_id(api: Client, test_key: tuple[ApiKey, str]) -> None:
    response = api.get(MOTION, **bearer(test_key[1]))

    assert response.status_code == 200
    assert response.json()["id"] == "clipia/motion-v1"


def test_an_unknown_model_gets_404_model_not_found(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    assert_error(api.get("/v1/models/clipia/nope", **bearer(test_key[1])), 404, "model_not_found")


def test_reading_needs_no_scope(api: Client, alice: User, make_key: MakeKey) -> None:
    generate_only, generate_raw = make_key(alice, "test", scopes=("generate",))
    _, read_raw = make_key(alice, "test", scopes=("read",))
    created = post_json(api, MOTION, generate_raw, {"prompt": "x"}).json()

    assert api.get("/v1/account", **bearer(generate_raw)).status_code == 200
    assert api.get("/v1/models", **bearer(generate_raw)).status_code == 200
    assert api.get(MOTION, **bearer(read_raw)).status_code == 200
    assert api.get(f"/v1/generations/{created['id']}", **bearer(read_raw)).status_code == 200


def test_a_generation_is_readable_by_its_owner_in_its_environment(
    api: Client, funded: User, live_key: tuple[ApiKey, str]
) -> None:
    created = post_json(api, MOTION, live_key[1], {"prompt": "x"}).json()

    response = api.get(f"/v1/generations/{created['id']}", **bearer(live_key[1]))

    assert response.status_code == 200
    assert response.json() == created


def test_another_accounts_generation_is_not_found(
    api: Client, alice: User, bob: User, make_key: MakeKey
) -> None:
    _, alice_raw = make_key(alice, "test")
    _, bob_raw = make_key(bob, "test")
    created = post_json(api, MOTION, alice_raw, {"prompt": "x"}).json()

    response = api.get(f"/v1/generations/{created['id']}", **bearer(bob_raw))

    assert_error(response, 404, "not_found")


def test_live_and_test_generations_never_mix(api: Client, funded: User, make_key: MakeKey) -> None:
    _, test_raw = make_key(funded, "test")
    _, live_raw = make_key(funded, "live")
    sandbox = post_json(api, MOTION, test_raw, {"prompt": "x"}).json()
    real = post_json(api, MOTION, live_raw, {"prompt": "x"}).json()

    assert_error(api.get(f"/v1/generations/{sandbox['id']}", **bearer(live_raw)), 404, "not_found")
    assert_error(api.get(f"/v1/generations/{real['id']}", **bearer(test_raw)), 404, "not_found")
    assert set(Generation.objects.values_list("environment", flat=True)) == {"live", "test"}


@pytest.mark.parametrize("generation_id", ["not-a-uuid", "0" * 36, "../account", "%00"])
def test_odd_generation_ids_get_404(
    api: Client, test_key: tuple[ApiKey, str], generation_id: str
) -> None:
    assert_error(
        api.get(f"/v1/generations/{generation_id}", **bearer(test_key[1])), 404, "not_found"
    )
