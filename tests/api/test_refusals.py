"""The refusal table: every exception /v1 answers on purpose renders the status and code
the README's error table documents, with its headers; anything else is a bug, answered
500 internal_error in the envelope."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.test import Client, RequestFactory
from rest_framework import exceptions as drf

from apikeys import exceptions as keys
from clipia_console.api import errors, idempotency, views
from clipia_console.api.handlers import exception_handler
from clipia_console.api.outcome import outcome_of
from clipia_console.api.refusal_table import TABLE
from clipia_console.api.refusals import render
from clipia_console.billing import credits, spending
from clipia_console.generations import request_limits
from clipia_console.lib import ratelimit

README = Path(__file__).resolve().parents[2] / "README.md"
# Django's and DRF's fallbacks, which no /v1 view raises on purpose: not in the README.
UNDOCUMENTED = {"permission_denied": 403, "not_acceptable": 406, "internal_error": 500}

SAMPLES: list[Exception] = [
    keys.InvalidApiKey(),
    keys.ConflictingCredentials(),
    keys.VerificationRateLimited(7),
    keys.KeyPaused(),
    keys.ModelNotAllowed("clipia/motion-v1", ["clipia/motion-v1-fast"]),
    keys.AddressNotAllowed("203.0.113.9"),
    credits.InsufficientCredits(5),
    spending.BudgetExceeded(),
    spending.KeyNoLongerValid(),
    request_limits.TooManyGenerations(10, 30),
    ratelimit.RateLimited(9),
    errors.TooManyReports(9),
    idempotency.InvalidIdempotencyKey(),
    idempotency.KeyReused(),
    idempotency.InFlight(),
    errors.ModelNotFound(),
    errors.ResourceNotFound(),
    errors.EndpointNotFound(),
    errors.InvalidRequest(),
    errors.LengthRequired(),
    errors.PayloadTooLarge(),
    errors.ServerError(),
    OperationalError(),
    InterfaceError(),
    Http404(),
    DjangoPermissionDenied(),
    drf.ValidationError({"prompt": ["This field is required."]}),
    drf.ParseError("Expecting value"),
    drf.NotAuthenticated(),
    drf.AuthenticationFailed(),
    drf.PermissionDenied(),
    drf.NotFound(),
    drf.MethodNotAllowed("PUT"),
    drf.NotAcceptable(),
    drf.UnsupportedMediaType("text/plain"),
    drf.Throttled(3),
]


def documented() -> dict[str, int]:
    """The README's error table: code -> status."""
    found = dict(UNDOCUMENTED)
    for line in README.read_text().splitlines():
        row = re.match(r"\| (\d{3}) \| (`[a-z_]+`(?: / `[a-z_]+`)*) \|", line)
        if row:
            for code in re.findall(r"`([a-z_]+)`", row.group(2)):
                found[code] = int(row.group(1))
    return found


def api_request() -> Any:
    return RequestFactory().get("/v1/account")


def test_every_exception_in_the_table_has_a_sample_here() -> None:
    assert {type(sample) for sample in SAMPLES} == set(TABLE)


@pytest.mark.parametrize("exc", SAMPLES, ids=lambda exc: type(exc).__name__)
def test_it_renders_the_documented_status_and_code(exc: Exception) -> None:
    request = api_request()

    response = render(exc, request)

    error = json.loads(response.content)["error"]
    assert documented()[error["code"]] == response.status_code
    assert error["message"]
    assert outcome_of(request).refused is not None
    if response.status_code in (429, 503):
        assert int(response["Retry-After"]) > 0
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == 'Bearer realm="clipia"'


def test_a_permission_keeps_its_own_code() -> None:
    response = render(drf.PermissionDenied("no", code="insufficient_scope"), api_request())

    assert response.status_code == 403
    assert json.loads(response.content)["error"]["code"] == "insufficient_scope"


def test_the_message_of_an_expired_key_says_when() -> None:
    expired = keys.InvalidApiKey(expired_at=datetime(2026, 1, 2, tzinfo=UTC))

    error = json.loads(render(expired, api_request()).content)["error"]

    assert error["message"].startswith("This API key expired at 2026-01-02T00:00:00+00:00.")


def test_an_exception_not_in_the_table_is_left_to_djangos_500_handler() -> None:
    request = api_request()

    assert exception_handler(ValueError("a bug"), {"request": request}) is None
    response = render(ValueError("a bug"), request)
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["code"] == "internal_error"


def test_a_bug_under_v1_answers_500_internal_error_in_the_envelope(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ValueError("a bug")

    # The catch-all view runs no authentication, so the bug is all it answers.
    monkeypatch.setattr(views.EndpointNotFoundView, "initial", broken)

    response = Client(raise_request_exception=False).get("/v1/no-such-path")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert response["Cache-Control"] == "no-store"
