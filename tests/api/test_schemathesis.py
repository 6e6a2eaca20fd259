"""Property-based tests of a running server (pytest-django's live_server) against the
checked-in OpenAPI description (tests/test_openapi.py keeps it equal to the served one):
schemathesis generates requests for every operation, with a test key and with a live key
on a funded account, and no answer may be a 5xx or break the schema."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from clipia_console.billing import credits
from clipia_console.generations import services as generations
from clipia_console.generations.models import VideoModel
from tests.support import MakeKey

schema = schemathesis.openapi.from_path(
    Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
)

# Only what the description promises: no 5xx, and every answer's status, content type,
# headers and body as described. (Not whether every schema-valid body is accepted: a
# prompt of spaces is schema-valid and rightly refused.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

pytestmark = pytest.mark.django_db(transaction=True)


# Where a generated path would almost never name anything real, half the cases name one.
KNOWN_MODEL = "clipia/motion-v1"
# schemathesis sends its own values for the security schemes' headers too; we send the key.
KEY_HEADERS = {"authorization", "x-api-key"}


@pytest.fixture
def keys(alice: User, make_key: MakeKey, catalog: None) -> dict[str, tuple[str, str]]:
    """Per environment: a key of a funded account, and one of its generations' ids."""
    credits.grant(alice, 1_000_000, reason="schemathesis")
    model = VideoModel.objects.get(pk=KNOWN_MODEL)
    found = {}
    for env in ("test", "live"):
        row, raw = make_key(alice, env, name=f"schemathesis {env}")
        generation = generations.create(api_key=row, model=model, prompt="a fox", params={})
        found[env] = (raw, str(generation.pk))
    return found


@pytest.mark.parametrize("environment", ["test", "live"])
@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_answer_is_a_server_error_or_breaks_the_schema(
    case: Any, live_server: Any, keys: dict[str, tuple[str, str]], environment: str
) -> None:
    raw_key, generation_id = keys[environment]
    if case.path_parameters and zlib.crc32(repr((case.path_parameters, case.body)).encode()) % 2:
        if "model_id" in case.path_parameters:
            case.path_parameters["model_id"] = KNOWN_MODEL
        if "generation_id" in case.path_parameters:
            case.path_parameters["generation_id"] = generation_id
    if case.headers:
        case.headers = {k: v for k, v in case.headers.items() if k.lower() not in KEY_HEADERS}
    case.call_and_validate(
        base_url=live_server.url, headers={"Authorization": f"Bearer {raw_key}"}, checks=CHECKS
    )
