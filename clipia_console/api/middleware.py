"""Middleware for /v1: oversized bodies refused before any other work (authentication
included), database outages answered in the envelope."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from clipia_console.api.errors import (
    API_PATH_PREFIX,
    DATABASE_OUTAGES,
    envelope,
    service_unavailable,
)


class ApiBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PATH_PREFIX):
            limit = int(settings.CLIPIA_API_MAX_BODY_BYTES)
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return JsonResponse(
                    envelope("invalid_request", "The Content-Length header is not a number."),
                    status=400,
                )
            if length > limit:
                return JsonResponse(
                    envelope(
                        "payload_too_large", f"The request body is larger than {limit} bytes."
                    ),
                    status=413,
                )
        return self.get_response(request)


class ApiOutageMiddleware:
    """A database outage outside DRF's exception handling (a plain Django view under /v1,
    a signal handler) still answers 503 service_unavailable in the envelope, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PATH_PREFIX) or not isinstance(
            exception, DATABASE_OUTAGES
        ):
            return None
        error = service_unavailable()
        response = JsonResponse(
            envelope(str(error.default_code), str(error.detail)), status=error.status_code
        )
        for name, value in error.headers.items():
            response[name] = value
        return response
