"""Promise 1: a full key exists only in the response that creates it. Not in the database,
the logs, the cache or exception text — nor any part of its secret."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client

from apikeys import keys
from apikeys.models import ApiKey
from tests.support import MakeKey, bearer


def secret_of(raw: str) -> str:
    start = len("clipia_live_") + keys.LOOKUP_ID_LENGTH
    return raw[start : start + keys.SECRET_LENGTH]


def database_text() -> str:
    """Every value of every row of every table, as one string."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def assert_absent(text: str, raw: str) -> None:
    secret = secret_of(raw)
    assert raw not in text
    # No 12-character window of the secret survives anywhere either.
    for start in range(0, len(secret) - 12, 4):
        assert secret[start : start + 12] not in text


def test_no_plaintext_key_or_secret_is_stored_after_creating_and_using_it(
    api: Client, alice: User, make_key: MakeKey
) -> None:
    from clipia_console.billing import credits

    credits.grant(alice, 100, reason="x")
    used = []
    for environment in ("live", "test"):
        row, raw = make_key(alice, environment)
        used.append(raw)
        assert api.get("/v1/account", **bearer(raw)).status_code == 200
        api.post(
            "/v1/models/clipia/motion-v1",
            data=json.dumps({"prompt": "x"}),
            content_type="application/json",
            **bearer(raw),
        )

    text = database_text()
    for raw in used:
        assert_absent(text, raw)
    for row in ApiKey.objects.all():
        assert row.hashed_key.startswith("$argon2id$")


def test_no_key_reaches_the_logs(
    api: Client, alice: User, make_key: MakeKey, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    row, raw = make_key(alice, "test")
    api.get("/v1/account", **bearer(raw))
    api.get("/v1/account", **bearer(raw[:-1] + "x"))
    from apikeys import services

    services.revoke_key(row, actor=services.Actor.command("tests"))
    api.get("/v1/account", **bearer(raw))

    assert caplog.records  # the lifecycle does log; it must log prefixes only
    logged = "\n".join(record.getMessage() + repr(record.__dict__) for record in caplog.records)
    assert_absent(logged, raw)


def test_no_key_reaches_the_cache(api: Client, alice: User, make_key: MakeKey) -> None:
    row, raw = make_key(alice, "test")
    for _ in range(3):
        api.get("/v1/account", **bearer(raw))
    api.get("/v1/account", **bearer(keys.generate_key("test", row.lookup_id)))

    backend = caches["default"]
    if isinstance(backend, LocMemCache):  # every stored value is inspectable
        stored = repr(dict(backend._cache))  # type: ignore[attr-defined]
        assert_absent(stored, raw)
    else:  # Redis: scan this database's keys and values
        client = backend._cache.get_client()  # type: ignore[attr-defined]
        stored = "\n".join(
            repr(name) + repr(client.get(name)) for name in client.scan_iter(count=1000)
        )
        assert_absent(stored, raw)


def test_the_key_row_never_prints_its_hash(alice: User, make_key: MakeKey) -> None:
    row, raw = make_key(alice, "test")

    assert row.hashed_key not in str(row) and row.hashed_key not in repr(row)
    assert raw not in str(row)


def test_exceptions_from_the_lifecycle_never_carry_the_key(db: Any, alice: User) -> None:
    from apikeys import verification
    from apikeys.exceptions import InvalidApiKey

    raw = keys.generate_key("live", keys.generate_lookup_id())
    with pytest.raises(InvalidApiKey) as caught:
        verification.authenticate_key(raw)

    assert raw not in str(caught.value) and raw not in repr(caught.value)


# Module-level so that the keys are not locals of the test's own frame, which the report
# (rightly) shows: the test is about the frames of our code and the request headers.
_GENERATED: list[str] = []


def _request_carrying_a_key(rf: Any) -> Any:
    request = rf.get("/v1/account")
    header_key = keys.generate_key("test", keys.generate_lookup_id())
    _GENERATED.append(header_key)
    request.META["HTTP_AUTHORIZATION"] = f"Bearer {header_key}"
    request.META["HTTP_X_API_KEY"] = header_key
    return request


def test_error_reports_star_out_keys_in_headers_and_in_a_failing_create(
    alice: User, monkeypatch: pytest.MonkeyPatch, rf: Any
) -> None:
    import sys

    from django.views.debug import ExceptionReporter

    from apikeys import services

    _GENERATED.clear()
    request = _request_carrying_a_key(rf)
    real_generate = keys.generate_key

    def remember_generated(environment: keys.Environment, lookup_id: str) -> str:
        _GENERATED.append(real_generate(environment, lookup_id))
        return _GENERATED[-1]

    def fail(**kwargs: Any) -> None:
        raise RuntimeError("database went away mid-insert")

    monkeypatch.setattr(keys, "generate_key", remember_generated)
    monkeypatch.setattr(ApiKey.objects, "create", fail)
    report = ""
    try:
        services.create_key(
            owner=alice, name="x", environment="live", actor=services.Actor.command("t")
        )
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
        report = reporter.get_traceback_text() + reporter.get_traceback_html()

    assert len(_GENERATED) == 2, "create_key did not get as far as generating a key"
    assert "database went away" in report
    for raw in _GENERATED:
        assert_absent(report, raw)


def test_error_reports_star_out_the_key_in_the_authentication_frames(
    db: Any, rf: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from django.views.debug import ExceptionReporter
    from rest_framework.request import Request

    from apikeys import verification
    from apikeys.authentication import ApiKeyAuthentication

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("unexpected failure while authenticating")

    monkeypatch.setattr(verification, "lookup", explode)
    _GENERATED.clear()
    request = Request(_request_carrying_a_key(rf))
    frames: list[dict[str, Any]] = []
    try:
        ApiKeyAuthentication().authenticate(request)
    except RuntimeError:
        reporter = ExceptionReporter(request._request, *sys.exc_info())
        frames = [
            frame for frame in reporter.get_traceback_frames() if "/apikeys/" in frame["filename"]
        ]

    assert frames, "the failure did not pass through our authentication code"
    assert_absent(repr([frame["vars"] for frame in frames]), _GENERATED[0])
