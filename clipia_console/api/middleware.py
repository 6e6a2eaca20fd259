"""Refuses oversized /v1 bodies before any other work (authentication included)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from clipia_console.api.errors import API_PATH_PREFIX, envelope


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
