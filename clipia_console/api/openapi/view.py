"""The served description: drf-spectacular's hooks (SPECTACULAR_SETTINGS in
clipia_console/settings.py) that keep /v1 only and add the shared components and the
headers of each answer, and ``GET /v1/openapi.json``.
"""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpResponse
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from clipia_console.api.openapi import operations  # noqa: F401 (registers the extensions)
from clipia_console.api.openapi.bodies import SCHEMAS
from clipia_console.api.openapi.components import (
    HEADERS,
    KEY_HEADERS,
    RATE_LIMIT_HEADERS,
    header_ref,
)

DESCRIPTION = """\
The Clipia API: a model catalog, video generations, your credit balance, your key and
its usage, and a public intake for leaked keys.

Authenticate every request with an API key in one of three equivalent headers:
`Authorization: Bearer clipia_live_…` (recommended), `Authorization: Key …` or `X-Api-Key: …`.
Keys that begin `clipia_test_` work in the sandbox: generations are instant, mock and free,
and magic prompts (see the Sandbox page) rehearse failures.

Every error is JSON in one envelope, `{"error": {"code": …, "message": …}}`; branch on
`code`, which is stable, and show `message` to people. Each operation lists the codes it
can answer. An operation's `x-clipia-scope` names the key scope it needs (null: none);
`x-clipia-rate-limit` the request limit it counts against, if any.
"""


def documented_endpoints(endpoints: list[Any], **kwargs: Any) -> list[Any]:
    """PREPROCESSING_HOOKS: the /v1 operations only, not the catch-all 404, the schema
    itself, or anything outside /v1."""
    from clipia_console.api.views import EndpointNotFoundView

    return [
        (path, regex, method, callback)
        for path, regex, method, callback in endpoints
        if path.startswith("/v1/")
        and callback.cls is not EndpointNotFoundView
        and callback.cls is not OpenApiView
    ]


def finish(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS: the shared components, and the headers on each answer."""
    result["info"]["description"] = DESCRIPTION
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).update(SCHEMAS)
    components["headers"] = HEADERS
    for path_item in result["paths"].values():
        for op in path_item.values():
            if "requestBody" in op:
                op["requestBody"]["required"] = True
            for status, response in op["responses"].items():
                response["headers"] = _headers(op, int(status))
    return result


# Answers given before a request is counted against its limit (refused path, key or
# body), which so carry no RateLimit headers.
_BEFORE_COUNTING = (400, 404, 405, 411, 413, 415)


def _headers(op: dict[str, Any], status: int) -> dict[str, Any]:
    """The headers an answer of ``op`` with ``status`` can carry (headers.finalize and the
    views set them)."""
    names: list[str] = []
    if status == 401:
        names.append("WWW-Authenticate")
    elif op.get("security"):
        names.extend(KEY_HEADERS)
    if status in (429, 503):
        names.append("Retry-After")
    if op.get("x-clipia-rate-limit") and status not in _BEFORE_COUNTING:
        names.extend(RATE_LIMIT_HEADERS)
    idempotent = any(param["name"] == "Idempotency-Key" for param in op.get("parameters", ()))
    if idempotent and status in (201, 402):
        # The two answers an Idempotency-Key remembers; a fresh one says what it charged.
        names.extend(("Idempotent-Replayed", "Clipia-Credits-Charged"))
    return {name: header_ref(name) for name in sorted(names)}


@functools.cache
def rendered_schema() -> bytes:
    """The schema as served, generated once per process: it depends on the code only, and
    generating it costs far more than any /v1 request."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return bytes(OpenApiJsonRenderer().render(schema, renderer_context={}))


class OpenApiView(APIView):
    """GET /v1/openapi.json, without authentication."""

    authentication_classes = ()
    permission_classes = ()

    def get(self, request: Request) -> HttpResponse:
        return HttpResponse(rendered_schema(), content_type="application/json")
