"""The messages (and a few headers) of /v1 refusals, for clipia_console.api.refusal_table:
what each says needs more than its class only here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from django.http import HttpRequest
from rest_framework import exceptions as drf
from rest_framework.request import Request

from apikeys import exceptions as keys
from apikeys.authentication import CHALLENGE
from apikeys.models import ApiKey
from clipia_console.api.outcome import outcome_of
from clipia_console.billing import budgets, credits, spending
from clipia_console.lib import clock

AnyRequest = HttpRequest | Request
Message = Callable[[Any, AnyRequest], str]

INVALID_KEY_MESSAGE = (
    "Missing or invalid API key. Send a key that starts with clipia_live_ or clipia_test_ "
    "in the Authorization: Bearer header (Authorization: Key and X-Api-Key also work), "
    "and check that it has not been revoked."
)
IN_FLIGHT_MESSAGE = (
    "A request with this Idempotency-Key is still in flight. Wait for its answer, then "
    "retry with the same key to get that answer."
)


def said(text: str) -> Message:
    return lambda exc, request: text


def own_or(default: str) -> Message:
    """The transport error's own message, if it was given one."""
    return lambda exc, request: exc.message or default


def detail(exc: drf.APIException, request: AnyRequest) -> str:
    return str(exc.detail)


def challenge(exc: Exception) -> dict[str, str]:
    return {"WWW-Authenticate": CHALLENGE}


def retry_after(attribute: str) -> Callable[[Any], dict[str, str]]:
    return lambda exc: {"Retry-After": str(getattr(exc, attribute))}


def expired_or_invalid(exc: keys.InvalidApiKey, request: AnyRequest) -> str:
    if exc.expired_at is None:
        return INVALID_KEY_MESSAGE
    # Only the holder of the complete, correct key gets here (see apikeys.verification).
    expired = exc.expired_at.astimezone(UTC).isoformat()
    return f"This API key expired at {expired}. Create a new key in the console."


def too_many_attempts(exc: keys.VerificationRateLimited, request: AnyRequest) -> str:
    unit = "second" if exc.retry_after == 1 else "seconds"
    return (
        "Too many attempts for this key or from this address. "
        f"Try again in {exc.retry_after} {unit}."
    )


def model_not_allowed(exc: keys.ModelNotAllowed, request: AnyRequest) -> str:
    allowed = ", ".join(exc.allowed) or "none"
    return f"This key may not use {exc.model_id}; it may use: {allowed}. Nothing was charged."


def insufficient_credits(exc: credits.InsufficientCredits, request: AnyRequest) -> str:
    # The balance the charge saw: 0 for the sandbox's rehearsal, as on an empty account.
    model = outcome_of(request).model
    if model is None:
        return "Not enough credits for this generation. Nothing was charged."
    return (
        f"{model.id} costs {model.price_credits} credits and your balance is "
        f"{exc.balance}. Nothing was charged."
    )


def budget_exceeded(exc: spending.BudgetExceeded, request: AnyRequest) -> str:
    model, key = outcome_of(request).model, getattr(request, "auth", None)
    if model is None or not isinstance(key, ApiKey):
        return "This key's budget does not allow this generation. Nothing was charged."
    return budgets.exceeded_message(key, model.price_credits, clock.now())


def validation_fields(exc: drf.ValidationError) -> dict[str, Any]:
    fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    return {"fields": fields}


def summarise(fields: Any) -> str:
    """One readable sentence from DRF's nested validation messages."""
    parts = []
    for name, messages in fields.items():
        text = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(text, dict):
            text = summarise(text)
        label = "" if name == "non_field_errors" else f"{name}: "
        parts.append(f"{label}{text}")
    return "Invalid request. " + " ".join(parts)


def permission_code(exc: drf.PermissionDenied) -> str:
    # A DRF permission names its own code (insufficient_scope, ip_not_allowed).
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else "permission_denied"
