"""The /v1 envelope around every answer: JSON whatever the Accept header, 404 and 405 for
unknown endpoints and methods, and no answer (outages included) stored by a cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apikeys.models import ApiKey
from tests.api.helpers import MOTION, assert_error, post_json
from tests.support import bearer


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
