"""Middleware for /v1: oversized and unmeasured bodies refused before any other work
(authentication included), database outages answered in the envelope, both through
clipia_console.api.refusals.render."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from clipia_console.api.envelope import is_api_request
from clipia_console.api.errors import InvalidRequest, LengthRequired, PayloadTooLarge
from clipia_console.api.refusal_table import DATABASE_OUTAGES
from clipia_console.api.refusals import render


class ApiBodyLimitMiddleware:
    """A /v1 body must declare its size in Content-Length, at most
    CLIPIA_API_MAX_BODY_BYTES.

    A body sent with Transfer-Encoding (chunked) is refused with 411 length_required, not
    read: Django reads exactly Content-Length bytes of a request, and without one it sees
    an empty body, under runserver, the test client and gunicorn alike (gunicorn's sync
    workers de-chunk wsgi.input but set no CONTENT_LENGTH). Silently dropping it would
    answer a valid request with "prompt: This field is required."
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_request(request):
            if "HTTP_TRANSFER_ENCODING" in request.META:
                return render(LengthRequired(), request)
            limit = int(settings.CLIPIA_API_MAX_BODY_BYTES)
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return render(InvalidRequest("The Content-Length header is not a number."), request)
            if length > limit:
                return render(
                    PayloadTooLarge(f"The request body is larger than {limit} bytes."), request
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
            return render(exception, request)
        return None
