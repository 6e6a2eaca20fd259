"""Request bodies on /v1: invalid fields, bad JSON, form bodies, oversized bodies, and bodies
without a length (chunked) refused in the envelope, by Django and behind gunicorn."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apikeys.models import ApiKey
from clipia_console.billing import credits
from clipia_console.generations.models import Generation
from tests.api.helpers import MOTION, assert_error, post_json
from tests.support import MakeKey, bearer
from tests.system.servers import gunicorn, subprocess_database_url


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
