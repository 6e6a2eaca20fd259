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

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.views.decorators.debug import sensitive_variables
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from apikeys import keys, services
from apikeys.client import client_address
from apikeys.models import ApiKey

INVALID_KEY_MESSAGE = (
    "Missing or invalid API key. Send a key that starts with clipia_live_ or clipia_test_ "
    "in the Authorization: Bearer header (Authorization: Key and X-Api-Key also work), "
    "and check that it has not been revoked."
)
_SCHEMES = frozenset({"bearer", "key"})
# Far longer than any key: refuse pathological header values without looking further.
_MAX_CREDENTIAL_LENGTH = 256


class InvalidApiKey(exceptions.AuthenticationFailed):
    default_detail = INVALID_KEY_MESSAGE
    default_code = "invalid_api_key"


class ConflictingCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request carries two different API keys. Send one key, in one header."
    default_code = "invalid_request"


class RateLimited(exceptions.Throttled):
    default_code = "rate_limited"
    extra_detail_singular = extra_detail_plural = ""
    default_detail = (
        "Too many attempts with wrong secrets for this key or from this address. Try again later."
    )


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, ApiKey] | None:
        return authenticate_request(request)

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="clipia"'


# Should anything fail unexpectedly here, error reports (the DEBUG page, error emails) list
# each frame's locals: star the key out of them. (A plain function: method_decorator would
# cost every request a bound-method wrapper.)
@sensitive_variables("raw_key", "parsed")
def authenticate_request(request: Request) -> tuple[AbstractBaseUser, ApiKey] | None:
    """The (owner, key) this request's API key stands for, None if it carries none of
    ours; raises InvalidApiKey, ConflictingCredentials or RateLimited."""
    raw_key = extract_key(request)
    if raw_key is None:
        return None
    parsed = keys.parse_key(raw_key)
    if parsed is None:
        # A mistyped, truncated or made-up key: refused before the database and before
        # any other work, so garbage costs no more than sending no key at all.
        raise InvalidApiKey
    try:
        api_key = services.authenticate_key(parsed, client_address=client_address(request._request))
    except services.InvalidApiKey:
        raise InvalidApiKey from None
    except services.VerificationRateLimited as exc:
        raise RateLimited(wait=exc.retry_after) from None
    return api_key.owner, api_key


def extract_key(request: Request | Any) -> str | None:
    """The one key this request carries, or None if it carries none of ours.

    Raises InvalidApiKey for a malformed header of ours, ConflictingCredentials when two
    headers carry different keys. Never echoes a credential into an error message.
    """
    meta = request.META
    found: list[str] = []
    authorization = meta.get("HTTP_AUTHORIZATION")
    if authorization:
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() in _SCHEMES and (
            credential.startswith(keys.KEY_NAMESPACE) or scheme.lower() == "key"
        ):
            found.append(_checked(credential))
        elif scheme.lower() in _SCHEMES and not credential:
            raise InvalidApiKey
    x_api_key = meta.get("HTTP_X_API_KEY")
    if x_api_key is not None:
        found.append(_checked(x_api_key.strip()))
    if not found:
        return None
    if len(found) > 1 and found[0] != found[1]:
        raise ConflictingCredentials
    return found[0]


def _checked(credential: str) -> str:
    if not credential or len(credential) > _MAX_CREDENTIAL_LENGTH or " " in credential:
        raise InvalidApiKey
    return credential
