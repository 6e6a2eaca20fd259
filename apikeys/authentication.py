"""DRF authentication by API key.

Three equivalent ways to send a key (the scheme word is case-insensitive)::

    Authorization: Bearer clipia_live_…
    Authorization: Key clipia_live_…
    X-Api-Key: clipia_live_…

Following DRF's contract, ``authenticate`` returns None when the request carries no
credentials of ours (no X-Api-Key, and no Bearer/Key token that starts with ``clipia_``),
so another authentication class may try; it raises for bad credentials of ours. The
challenge from ``authenticate_header`` makes DRF answer 401 rather than 403.
"""

from __future__ import annotations

from datetime import UTC

from django.contrib.auth.models import AbstractBaseUser
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from apikeys import exceptions as refusals
from apikeys import verification
from apikeys.models import ApiKey

INVALID_KEY_MESSAGE = (
    "Missing or invalid API key. Send a key that starts with clipia_live_ or clipia_test_ "
    "in the Authorization: Bearer header (Authorization: Key and X-Api-Key also work), "
    "and check that it has not been revoked."
)


class KeyRefused(exceptions.AuthenticationFailed):
    default_detail = INVALID_KEY_MESSAGE
    default_code = "invalid_api_key"


class ConflictingCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = (
        "The request carries two credentials. Send one API key, in one header, and no "
        "other Authorization."
    )
    default_code = "invalid_request"


class RateLimited(exceptions.Throttled):
    default_code = "rate_limited"
    default_detail = "Too many attempts for this key or from this address."
    # DRF joins these to the detail with a space.
    extra_detail_singular = "Try again in {wait} second."
    extra_detail_plural = "Try again in {wait} seconds."


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, ApiKey] | None:
        try:
            api_key = verification.authenticate_request(request._request)
        except refusals.InvalidApiKey as refused:
            raise KeyRefused(_refusal_message(refused)) from None
        except refusals.ConflictingCredentials:
            raise ConflictingCredentials from None
        except refusals.VerificationRateLimited as limited:
            raise RateLimited(wait=limited.retry_after) from None
        if api_key is None:
            return None
        return api_key.owner, api_key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="clipia"'


def _refusal_message(refused: refusals.InvalidApiKey) -> str:
    if refused.expired_at is None:
        return INVALID_KEY_MESSAGE
    # Only the holder of the complete, correct key gets here (see apikeys.verification).
    expired = refused.expired_at.astimezone(UTC).isoformat()
    return f"This API key expired at {expired}. Create a new key in the console."
