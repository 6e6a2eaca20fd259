"""A database outage inside this process (no gunicorn): authentication and a charge interrupted
by it answer 503 and write nothing, and the middleware answers an outage outside DRF with
the envelope."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory

from apikeys import verification
from clipia_console.api.middleware import ApiOutageMiddleware
from clipia_console.billing import credits
from clipia_console.generations.models import Generation
from tests.support import bearer
from tests.system.helpers import FUNDS, MODEL


@pytest.mark.django_db
def test_outside_gunicorn_an_outage_in_authentication_is_503_too(
    live: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The in-process path, for the embedded default too: the failure inside DRF's
    authentication step, not in a view."""

    def unreachable(lookup_id: str, **kwargs: Any) -> Any:
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(verification, "lookup", unreachable)

    response = Client().get("/v1/account", **bearer(live))

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "Connection refused" not in response.json()["error"]["message"]


@pytest.mark.django_db
def test_an_outage_in_the_middle_of_a_charge_writes_nothing(
    live: str, alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generation row is written, then the charge fails: the transaction takes both."""

    def lost(generation: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(credits, "charge", lost)

    response = Client().post(
        f"/v1/models/{MODEL}",
        data={"prompt": "a kite"},
        content_type="application/json",
        **bearer(live),
    )

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert Generation.objects.count() == 0
    assert credits.balance_of(alice.pk) == FUNDS == credits.ledger_sum(alice.pk)


def test_the_middleware_answers_an_outage_outside_drf_with_the_envelope() -> None:
    middleware = ApiOutageMiddleware(lambda request: HttpResponse())
    factory = RequestFactory()
    outage = OperationalError("could not connect to server")

    api = middleware.process_exception(factory.get("/v1/account"), outage)
    console = middleware.process_exception(factory.get("/developer/"), outage)
    bug = middleware.process_exception(factory.get("/v1/account"), ValueError("a bug"))

    assert api is not None and api.status_code == 503
    assert json.loads(api.content)["error"]["code"] == "service_unavailable"
    assert api["Retry-After"] == "5"
    assert console is None
    assert bug is None
