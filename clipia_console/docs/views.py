"""The /docs/ pages: a quickstart, the API reference (Redoc over /v1/openapi.json), the
Authentication page and the Sandbox page. Public: readable signed out."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clipia_console.api.openapi.components import ERRORS
from clipia_console.generations import sandbox


def _page(request: HttpRequest, template: str, page: str, **context: object) -> HttpResponse:
    # The snippets name this server's /v1, so they work as pasted (make run: 127.0.0.1:8000).
    api_base = request.build_absolute_uri("/v1")
    return render(request, template, {"page": page, "api_base": api_base, **context})


@require_GET
def quickstart(request: HttpRequest) -> HttpResponse:
    return _page(request, "docs/quickstart.html", "quickstart")


@require_GET
def authentication(request: HttpRequest) -> HttpResponse:
    return _page(request, "docs/authentication.html", "authentication")


@require_GET
def sandbox_page(request: HttpRequest) -> HttpResponse:
    prompts = [(f"{sandbox.PREFIX}{name}", does) for name, does in sandbox.MAGIC_PROMPTS.items()]
    errors = [(code, status, when) for code, (status, when) in ERRORS.items()]
    return _page(request, "docs/sandbox.html", "sandbox", prompts=prompts, errors=errors)


@require_GET
def reference(request: HttpRequest) -> HttpResponse:
    return _page(request, "docs/reference.html", "reference")
