"""Where an error raised under /v1 reaches clipia_console.api.refusals.render: DRF's
EXCEPTION_HANDLER (settings.REST_FRAMEWORK) and Django's handler400/403/404/500 (wired in
clipia_console.urls), which answer in the envelope under /v1 and with Django's usual
pages elsewhere."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response

from clipia_console.api.envelope import is_api_request
from clipia_console.api.errors import EndpointNotFound, InvalidRequest, ServerError
from clipia_console.api.refusals import is_refusal, render


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Any exception the refusal table knows, rendered; None for a bug, which Django logs
    and its 500 handler answers, in the envelope under /v1."""
    # Imported here: rest_framework.views loads the parser classes from settings, and our
    # parser imports the transport errors beside this module.
    from rest_framework.views import set_rollback

    if not is_refusal(exc):
        return None
    set_rollback()
    return render(exc, context["request"])


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return render(InvalidRequest("Bad request."), request)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return render(exceptions.PermissionDenied("Forbidden."), request)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return render(EndpointNotFound(), request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return render(ServerError(), request)
    return defaults.server_error(request)
