"""The table of /v1 refusals: each exception class the API answers on purpose, with its
status, code, message and headers (README "Errors" documents the same table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions as drf

from apikeys import exceptions as keys
from apikeys.permissions import address_refused_message
from clipia_console.api import errors, idempotency
from clipia_console.api.refusal_messages import (
    IN_FLIGHT_MESSAGE,
    INVALID_KEY_MESSAGE,
    Message,
    budget_exceeded,
    challenge,
    detail,
    expired_or_invalid,
    insufficient_credits,
    model_not_allowed,
    own_or,
    permission_code,
    retry_after,
    said,
    summarise,
    too_many_attempts,
    validation_fields,
)
from clipia_console.billing import credits, spending
from clipia_console.generations import request_limits
from clipia_console.lib import ratelimit

# What an unreachable or restarting database raises (connection refused, dropped, timed
# out): an outage to answer with 503, not a bug to answer with 500.
DATABASE_OUTAGES = (OperationalError, InterfaceError)
RETRY_AFTER_OUTAGE_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Refusal:
    """How one kind of exception answers: ``code_of`` for the few whose code travels
    with them (a DRF permission's own code), ``extra`` for more envelope members."""

    status: int
    code: str
    message: Message
    headers: Callable[[Any], dict[str, str]] | None = None
    extra: Callable[[Any], dict[str, Any]] | None = None
    code_of: Callable[[Any], str] | None = None


_KEY_INVALID = Refusal(401, "invalid_api_key", said(INVALID_KEY_MESSAGE), challenge)
_OUTAGE = Refusal(
    503,
    "service_unavailable",
    # No promise that nothing was charged: a connection can drop after a commit and
    # before its answer. The Idempotency-Key header is what makes the retry safe.
    said(
        "The service is temporarily unavailable. Retry shortly; send an Idempotency-Key "
        "header with generation requests so that a retry can never charge twice."
    ),
    lambda exc: {"Retry-After": str(RETRY_AFTER_OUTAGE_SECONDS)},
)
_NOT_FOUND = Refusal(404, "not_found", own_or("Not found."))

TABLE: dict[type[Exception], Refusal] = {
    # The key (apikeys): authentication, then what this key may do.
    keys.InvalidApiKey: Refusal(401, "invalid_api_key", expired_or_invalid, challenge),
    keys.ConflictingCredentials: Refusal(
        400,
        "invalid_request",
        said(
            "The request carries two credentials. Send one API key, in one header, and "
            "no other Authorization."
        ),
    ),
    keys.VerificationRateLimited: Refusal(
        429, "rate_limited", too_many_attempts, retry_after("retry_after")
    ),
    keys.KeyPaused: Refusal(
        403,
        "key_paused",
        said(
            "This key's spending is paused: it can read, not generate. Its owner can "
            "resume it in the console."
        ),
    ),
    keys.ModelNotAllowed: Refusal(403, "model_not_allowed", model_not_allowed),
    keys.AddressNotAllowed: Refusal(
        403, "ip_not_allowed", lambda exc, request: address_refused_message(exc)
    ),
    # Money (billing) and the product's limits (generations, lib).
    credits.InsufficientCredits: Refusal(402, "insufficient_credits", insufficient_credits),
    spending.BudgetExceeded: Refusal(402, "key_budget_exceeded", budget_exceeded),
    spending.KeyNoLongerValid: _KEY_INVALID,
    request_limits.TooManyGenerations: Refusal(
        429, "rate_limited", lambda exc, request: str(exc), retry_after("wait")
    ),
    ratelimit.RateLimited: Refusal(
        429,
        "rate_limited",
        lambda exc, request: f"Too many requests. Retry after {exc.retry_after} seconds.",
        retry_after("retry_after"),
    ),
    errors.TooManyReports: Refusal(
        429,
        "rate_limited",
        lambda exc, request: (
            f"Too many leaked-key reports from this address. Retry after {exc.retry_after} seconds."
        ),
        retry_after("retry_after"),
    ),
    # Idempotent retries (clipia_console.api.idempotency).
    idempotency.InvalidIdempotencyKey: Refusal(
        400,
        "invalid_request",
        said(
            "The Idempotency-Key header must be 1 to 255 printable ASCII characters, e.g. a UUID."
        ),
    ),
    idempotency.KeyReused: Refusal(
        409,
        "idempotency_conflict",
        said(
            "This Idempotency-Key was already used with a different request (another "
            "model or body). Use a new key for a new request."
        ),
    ),
    idempotency.InFlight: Refusal(409, "idempotency_conflict", said(IN_FLIGHT_MESSAGE)),
    # The transport (clipia_console.api.errors).
    errors.ModelNotFound: Refusal(
        404,
        "model_not_found",
        own_or("No model with that id. GET /v1/models lists the available models."),
    ),
    errors.ResourceNotFound: _NOT_FOUND,
    errors.EndpointNotFound: Refusal(
        404, "not_found", own_or("No such endpoint. See the API reference for /v1.")
    ),
    errors.InvalidRequest: Refusal(400, "invalid_request", own_or("Invalid request.")),
    errors.LengthRequired: Refusal(
        411,
        "length_required",
        own_or(
            "Send the request body with a Content-Length header; chunked "
            "(Transfer-Encoding) bodies are not accepted."
        ),
    ),
    errors.PayloadTooLarge: Refusal(
        413, "payload_too_large", own_or("The request body is too large.")
    ),
    errors.ServerError: Refusal(
        500, "internal_error", said("Something went wrong on our side. Please retry.")
    ),
    OperationalError: _OUTAGE,
    InterfaceError: _OUTAGE,
    # Django's and DRF's own.
    Http404: Refusal(404, "not_found", said("Not found.")),
    DjangoPermissionDenied: Refusal(
        403, "permission_denied", said("You do not have permission to perform this action.")
    ),
    drf.ValidationError: Refusal(
        400,
        "invalid_request",
        lambda exc, request: summarise(validation_fields(exc)["fields"]),
        extra=validation_fields,
    ),
    drf.ParseError: Refusal(
        400,
        "invalid_request",
        lambda exc, request: f"The request body is not valid JSON: {exc.detail}",
    ),
    # No credentials of ours at all: the same helpful message as for a bad key.
    drf.NotAuthenticated: _KEY_INVALID,
    drf.AuthenticationFailed: Refusal(401, "invalid_api_key", detail, challenge),
    drf.PermissionDenied: Refusal(403, "permission_denied", detail, code_of=permission_code),
    drf.NotFound: Refusal(404, "not_found", detail),
    drf.MethodNotAllowed: Refusal(405, "method_not_allowed", detail),
    drf.NotAcceptable: Refusal(406, "not_acceptable", detail),
    drf.UnsupportedMediaType: Refusal(415, "unsupported_media_type", detail),
    drf.Throttled: Refusal(
        429,
        "rate_limited",
        detail,
        lambda exc: {"Retry-After": str(exc.wait)} if exc.wait is not None else {},
    ),
}

# What any exception the table does not know answers under /v1: a bug.
UNHANDLED = TABLE[errors.ServerError]
