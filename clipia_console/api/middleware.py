"""Middleware for /v1: oversized bodies refused before any other work (authentication
included), database outages answered in the envelope."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from clipia_console.api.errors import (
    DATABASE_OUTAGES,
    InvalidRequest,
    PayloadTooLarge,
    error_response,
    is_api_request,
    service_unavailable,
)


class ApiBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_request(request):
            limit = int(settings.CLIPIA_API_MAX_BODY_BYTES)
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return error_response(InvalidRequest("The Content-Length header is not a number."))
            if length > limit:
                return error_response(
                    PayloadTooLarge(f"The request body is larger than {limit} bytes.")
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
        if is_api_request(request) and isinstance(exception, DATABASE_OUTAGES):
            return error_response(service_unavailable())
        return None
