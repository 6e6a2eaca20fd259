"""The /v1 API: account, catalog, generations, scopes, sandbox vs live, and the envelope."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.billing.models import LedgerEntry
from clipia_console.generations.models import Generation
from tests.support import MakeKey, bearer
from tests.system.servers import gunicorn, subprocess_database_url

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


def test_a_test_key_gets_an_instant_free_mock_generation(
    api: Client, funded: User, test_key: tuple[ApiKey, str]
) -> None:
    response = post_json(api, MOTION, test_key[1], {"prompt": "a red fox in snow"})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["environment"] == "test"
    assert body["cost"] == 0
    assert body["result"]["mock"] is True
    assert body["result"]["video_url"].startswith("https://")
    assert credits.balance_of(funded.pk) == 100
    assert not LedgerEntry.objects.filter(kind="charge").exists()


def test_a_live_key_is_charged_and_the_generation_is_queued(
    api: Client, funded: User, live_key: tuple[ApiKey, str]
) -> None:
    response = post_json(api, MOTION, live_key[1], {"prompt": "a red fox", "duration_seconds": 5})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "queued"
    assert body["cost"] == 20
    assert body["params"] == {"duration_seconds": 5}
    assert credits.balance_of(funded.pk) == 80
    charge = LedgerEntry.objects.get(kind="charge")
    assert charge.amount == -20
    assert str(charge.generation_id) == body["id"]
    assert credits.ledger_sum(funded.pk) == 80


def test_the_dispatcher_named_in_settings_receives_live_generations_after_commit(
    api: Client,
    funded: User,
    live_key: tuple[ApiKey, str],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CLIPIA_GENERATION_DISPATCHER = "tests.api.test_api.record_dispatch"
    DISPATCHED.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(api, MOTION, live_key[1], {"prompt": "x"})

    assert [str(pk) for pk in DISPATCHED] == [response.json()["id"]]


DISPATCHED: list[Any] = []


def record_dispatch(generation_id: Any) -> None:
    DISPATCHED.append(generation_id)


def test_too_few_credits_gets_402_and_charges_nothing(
    api: Client, alice: User, live_key: tuple[ApiKey, str]
) -> None:
    credits.grant(alice, 19, reason="not quite enough")

    response = post_json(api, MOTION, live_key[1], {"prompt": "x"})

    error = assert_error(response, 402, "insufficient_credits")
    assert "20" in error["message"] and "19" in error["message"]
    assert credits.balance_of(alice.pk) == 19
    assert not Generation.objects.exists()
    assert credits.ledger_sum(alice.pk) == 19


def test_an_unknown_model_charges_nothing(
    api: Client, funded: User, live_key: tuple[ApiKey, str]
) -> None:
    assert_error(
        post_json(api, "/v1/models/nope/x", live_key[1], {"prompt": "x"}), 404, "model_not_found"
    )
    assert credits.balance_of(funded.pk) == 100
    assert not Generation.objects.exists()


def test_a_key_without_the_generate_scope_gets_403_insufficient_scope(
    api: Client, funded: User, make_key: MakeKey
) -> None:
    _, raw = make_key(funded, "live", scopes=("read",))

    error = assert_error(post_json(api, MOTION, raw, {"prompt": "x"}), 403, "insufficient_scope")

    assert "generate" in error["message"]
    assert credits.balance_of(funded.pk) == 100
    assert not Generation.objects.exists()


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


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": "   "}, "prompt"),
        ({"prompt": "x" * 2001}, "prompt"),
        ({"prompt": 42}, "prompt"),
        ({"prompt": "x", "duration_seconds": 0}, "duration_seconds"),
        ({"prompt": "x", "duration_seconds": 11}, "duration_seconds"),
        ({"prompt": "x", "duration_seconds": "ten"}, "duration_seconds"),
        ({"prompt": "x", "aspect_ratio": "4:3"}, "aspect_ratio"),
        ({"prompt": "x", "seed": -1}, "seed"),
        ({"prompt": "x", "promt": "typo"}, "promt"),
        ({"prompt": "bell\x07"}, "prompt"),
        ([{"prompt": "x"}], None),
        ("a string", None),
    ],
)
def test_invalid_bodies_get_400_invalid_request_with_field_details(
    api: Client, funded: User, live_key: tuple[ApiKey, str], body: Any, field: str | None
) -> None:
    error = assert_error(post_json(api, MOTION, live_key[1], body), 400, "invalid_request")

    if field is not None:
        assert field in error["fields"]
    assert credits.balance_of(funded.pk) == 100
    assert not Generation.objects.exists()


@pytest.mark.parametrize(
    "body",
    ['{"prompt":', "{'prompt': 'x'}", "NaN", "\xff\xfe", "", "[" * 30_000 + "]" * 30_000],
    ids=["truncated", "single-quotes", "nan", "not-utf8", "empty", "nested-too-deep"],
)
def test_bad_json_gets_400_invalid_request(
    api: Client, funded: User, live_key: tuple[ApiKey, str], body: str
) -> None:
    response = api.post(
        MOTION, data=body.encode("latin-1"), content_type="application/json", **bearer(live_key[1])
    )

    assert_error(response, 400, "invalid_request")
    assert credits.balance_of(funded.pk) == 100


def test_a_form_body_gets_415_unsupported_media_type(
    api: Client, live_key: tuple[ApiKey, str]
) -> None:
    response = api.post(MOTION, data={"prompt": "x"}, **bearer(live_key[1]))

    assert_error(response, 415, "unsupported_media_type")


def test_an_oversized_body_gets_413_before_anything_else(
    api: Client, funded: User, live_key: tuple[ApiKey, str]
) -> None:
    response = post_json(api, MOTION, live_key[1], {"prompt": "x", "pad": "y" * 70_000})

    assert_error(response, 413, "payload_too_large")
    assert credits.balance_of(funded.pk) == 100


def test_a_wrong_method_gets_405_method_not_allowed(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    assert_error(api.delete("/v1/account", **bearer(test_key[1])), 405, "method_not_allowed")


@pytest.mark.parametrize("path", ["/v1/nope", "/v1/", "/v1", "/v1/account/extra", "/v1/models/"])
def test_unknown_endpoints_get_a_json_404_even_in_debug(
    api: Client, db: Any, settings: Any, path: str
) -> None:
    settings.DEBUG = True

    assert_error(api.get(path), 404, "not_found")


def test_json_is_answered_whatever_the_accept_header(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    response = api.get("/v1/account", HTTP_ACCEPT="text/html", **bearer(test_key[1]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_the_parser_bounds_a_body_that_announced_no_length(settings: Any) -> None:
    """A chunked upload has no Content-Length for the middleware to check; the parser
    itself stops reading past the limit."""
    from io import BytesIO

    from clipia_console.api.errors import PayloadTooLarge
    from clipia_console.api.parsers import BoundedJSONParser

    settings.CLIPIA_API_MAX_BODY_BYTES = 100
    parser = BoundedJSONParser()

    assert parser.parse(BytesIO(b'{"prompt": "x"}')) == {"prompt": "x"}
    with pytest.raises(PayloadTooLarge):
        parser.parse(BytesIO(b'{"prompt": "' + b"x" * 200 + b'"}'))


def test_a_chunked_body_gets_411_length_required_not_a_silently_empty_body(
    api: Client, funded: User, live_key: tuple[ApiKey, str]
) -> None:
    """Django reads Content-Length bytes of a body and sees none without it (runserver,
    the test client and gunicorn alike), so a chunked body would look empty."""
    response = api.generic(
        "POST",
        MOTION,
        data=b'{"prompt": "a kite"}',
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        **bearer(live_key[1]),
    )

    error = assert_error(response, 411, "length_required")
    assert "Content-Length" in error["message"]
    assert Generation.objects.count() == 0
    assert credits.balance_of(funded.pk) == 100


def _answers(api: Client, raw: str) -> dict[str, Any]:
    """One /v1 answer of each kind: views, DRF errors, Django's 404, middleware."""
    return {
        "200": api.get("/v1/account", **bearer(raw)),
        "200 via X-Api-Key": api.get("/v1/models", HTTP_X_API_KEY=raw),
        "201": post_json(api, MOTION, raw, {"prompt": "a kite"}),
        "400": post_json(api, MOTION, raw, {}),
        "401": api.get("/v1/account"),
        "404 endpoint": api.get("/v1/nope"),
        "404 model": api.get("/v1/models/nope", **bearer(raw)),
        "405": api.delete("/v1/account", **bearer(raw)),
        "411": api.generic("POST", MOTION, data=b"{}", HTTP_TRANSFER_ENCODING="chunked"),
        "413": post_json(api, MOTION, raw, {"prompt": "x" * 70_000}),
        "415": api.post(MOTION, data={"prompt": "x"}, **bearer(raw)),
    }


def test_no_v1_answer_may_be_stored_by_a_cache_and_each_varies_on_both_key_headers(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    for kind, response in _answers(api, test_key[1]).items():
        assert response["Cache-Control"] == "no-store", kind
        vary = {name.strip().lower() for name in response["Vary"].split(",")}
        assert {"authorization", "x-api-key"} <= vary, kind


def test_an_outage_answer_is_not_cached_either(
    api: Client, test_key: tuple[ApiKey, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from clipia_console.generations.models import VideoModel

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    raw = test_key[1]
    api.get("/v1/account", **bearer(raw))  # warm
    monkeypatch.setattr(VideoModel.objects, "filter", unreachable)

    response = api.get("/v1/models", **bearer(raw))

    assert response.status_code == 503
    assert response["Cache-Control"] == "no-store"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalog")
def test_gunicorn_refuses_a_chunked_body_with_411_and_reads_a_measured_one(
    alice: User, make_key: MakeKey, tmp_path: Path
) -> None:
    """gunicorn's sync workers de-chunk the body but set no CONTENT_LENGTH, so Django
    would read it as empty; the same body with a Content-Length is read."""
    _, raw = make_key(alice, "test")
    headers = {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"}
    body = b'{"prompt": "a kite"}'

    with gunicorn(tmp_path, database_url=subprocess_database_url(), workers=1) as server:
        chunked = server.request("POST", MOTION, headers=headers, body=iter([body[:8], body[8:]]))
        measured = server.request("POST", MOTION, headers=headers, body=body)

    assert chunked[0] == 411
    assert json.loads(chunked[2])["error"]["code"] == "length_required"
    assert chunked[1]["Cache-Control"] == "no-store"
    assert measured[0] == 201
    assert json.loads(measured[2])["prompt"] == "a kite"
    assert Generation.objects.count() == 1
