"""DRF authentication by API key.

Three equivalent ways to send a key (the scheme word is case-insensitive)::

    Authorization: Bearer clipia_live_…
    Authorization: Key clipia_live_…
    X-Api-Key: clipia_live_…

Following DRF's contract, ``authenticate`` returns None when the request carries no
credentials of ours (no X-Api-Key, and no Bearer/Key token that starts with ``clipia_``),
so another authentication class may try; for bad credentials of ours it raises the
domain's own refusal (apikeys.exceptions: InvalidApiKey, ConflictingCredentials,
VerificationRateLimited), which DRF hands to the project's exception handler to answer;
a bad key's answer carries ``CHALLENGE`` in WWW-Authenticate, so it is 401, not 403.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from apikeys import verification
from apikeys.models import ApiKey

# The challenge that makes DRF answer a refused key 401, not 403.
CHALLENGE = 'Bearer realm="clipia"'


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, ApiKey] | None:
        api_key = verification.authenticate_request(request._request)
        if api_key is None:
            return None
        return api_key.owner, api_key

    def authenticate_header(self, request: Request) -> str:
        return CHALLENGE
