"""The /v1 error envelope: ``{"error": {"code": …, "message": …}}`` for every error.

Codes are stable snake_case strings customers may branch on. Validation errors add
``fields`` with per-field messages. Nothing under /v1 answers with an HTML page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from apikeys.authentication import INVALID_KEY_MESSAGE

API_PATH_PREFIX = "/v1/"

logger = logging.getLogger(__name__)


class ApiError(exceptions.APIException):
    """An error a /v1 view raises on purpose, with its own status and code."""

    def __init__(self, message: str | None = None, *, headers: dict[str, str] | None = None):
        super().__init__(detail=message)
        self.headers = headers or {}


class ModelNotFound(ApiError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "model_not_found"
    default_detail = "No model with that id. GET /v1/models lists the available models."


class ResourceNotFound(ApiError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"
    default_detail = "Not found."


class EndpointNotFound(ResourceNotFound):
    default_detail = "No such endpoint. See the API reference for /v1."


class InsufficientCredits(ApiError):
    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_code = "insufficient_credits"
    default_detail = "Not enough credits for this generation. Nothing was charged."


class KeyBudgetExceeded(ApiError):
    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_code = "key_budget_exceeded"
    default_detail = "This key's budget does not allow this generation. Nothing was charged."


class KeyPaused(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "key_paused"
    default_detail = (
        "This key's spending is paused: it can read, not generate. Its owner can resume it "
        "in the console."
    )


class ModelNotAllowed(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "model_not_allowed"
    default_detail = "This key may not use this model."


class InvalidRequest(ApiError):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_request"
    default_detail = "Invalid request."


class IdempotencyConflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"
    default_detail = "This Idempotency-Key was already used."


class LengthRequired(ApiError):
    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_code = "length_required"
    default_detail = (
        "Send the request body with a Content-Length header; chunked (Transfer-Encoding) "
        "bodies are not accepted."
    )


class RateLimited(ApiError):
    """The one /v1 429 a view raises (per-key generation limits, the sandbox's rehearsal of
    them, leaked-key reports per address), with Retry-After. Authentication's own limit
    lives below /v1 (apikeys.authentication) and answers the same code and header."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"
    default_detail = "Too many requests."

    def __init__(self, message: str | None = None, *, wait: int) -> None:
        super().__init__(message, headers={"Retry-After": str(wait)})


class PayloadTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


class ServiceUnavailable(ApiError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    # No promise that nothing was charged: a connection can drop after a commit and before
    # its answer. The Idempotency-Key header is what makes the retry safe.
    default_detail = (
        "The service is temporarily unavailable. Retry shortly; send an Idempotency-Key "
        "header with generation requests so that a retry can never charge twice."
    )


# What an unreachable or restarting database raises (connection refused, dropped, timed
# out): an outage to answer with 503, not a bug to answer with 500.
DATABASE_OUTAGES = (OperationalError, InterfaceError)
RETRY_AFTER_OUTAGE_SECONDS = 5


def service_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(headers={"Retry-After": str(RETRY_AFTER_OUTAGE_SECONDS)})


# Codes for DRF's own exceptions, whose default codes are not the ones we promise.
_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "invalid_api_key",
    exceptions.AuthenticationFailed: "invalid_api_key",
    exceptions.ValidationError: "invalid_request",
    exceptions.ParseError: "invalid_request",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.Throttled: "rate_limited",
}


def envelope(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": _encodable({"code": code, "message": message, **extra})}


def _encodable(value: Any) -> Any:
    """``value`` with anything UTF-8 cannot encode (a lone surrogate) replaced by "?".
    Messages may quote what a client sent (a field's name); the parser refuses lone
    surrogates, and this keeps any echo that slips past it from crashing the renderer."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_encodable(name): _encodable(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encodable(item) for item in value]
    return value


def error_response(exc: ApiError) -> JsonResponse:
    """``exc`` answered outside DRF (middleware, Django's error handlers): the same
    envelope, status and headers the exception handler gives it inside."""
    response = JsonResponse(
        envelope(str(exc.default_code), str(exc.detail)), status=exc.status_code
    )
    for name, value in exc.headers.items():
        response[name] = value
    return response


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PATH_PREFIX) or request.path == API_PATH_PREFIX[:-1]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: DRF's status and headers, our envelope."""
    # Imported here: rest_framework.views loads the parser classes from settings, and our
    # parser imports this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DATABASE_OUTAGES):
        logger.warning("database unavailable: %s", type(exc).__name__)
        exc = service_unavailable()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handler answers, in the envelope under /v1
    code, message, extra = _describe(exc)
    response.data = envelope(code, message, **extra)
    for name, value in getattr(exc, "headers", {}).items():
        response[name] = value
    return response


def _describe(exc: exceptions.APIException) -> tuple[str, str, dict[str, Any]]:
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return "invalid_request", _summarise(fields), {"fields": fields}
    if isinstance(exc, exceptions.PermissionDenied):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "permission_denied"
        return code, str(exc.detail), {}
    if isinstance(exc, ApiError):
        code = str(exc.default_code)
    else:
        code = next(
            (code for kind, code in _CODES.items() if isinstance(exc, kind)),
            str(exc.default_code),
        )
    message = str(exc.detail)
    if isinstance(exc, exceptions.NotAuthenticated):
        # No credentials of ours at all: the same helpful message as for a bad key.
        message = INVALID_KEY_MESSAGE
    if isinstance(exc, exceptions.ParseError):
        message = f"The request body is not valid JSON: {exc.detail}"
    return code, message, {}


def _summarise(fields: Any) -> str:
    """One readable sentence from DRF's nested validation messages."""
    parts = []
    for name, messages in fields.items():
        text = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(text, dict):
            text = _summarise(text)
        label = "" if name == "non_field_errors" else f"{name}: "
        parts.append(f"{label}{text}")
    return "Invalid request. " + " ".join(parts)


# Django-level handlers (wired in clipia_console.urls): the envelope under /v1, Django's
# usual pages elsewhere.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_response(InvalidRequest("Bad request."))
    from django.views.defaults import bad_request as default

    return default(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return JsonResponse(envelope("permission_denied", "Forbidden."), status=403)
    from django.views.defaults import permission_denied as default

    return default(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_response(EndpointNotFound())
    from django.views.defaults import page_not_found as default

    return default(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_request(request):
        return JsonResponse(
            envelope("internal_error", "Something went wrong on our side. Please retry."),
            status=500,
        )
    from django.views.defaults import server_error as default

    return default(request)
