"""What a request carries: its one credential (Bearer, Key or X-Api-Key) and where it
comes from. No database, no hashing: a malformed credential stops here."""

from __future__ import annotations

import functools
from typing import Any, Final

from django.http import HttpRequest

from apikeys import keys
from apikeys.exceptions import ConflictingCredentials, InvalidApiKey
from clipia_console.lib import client_address as client

# Far longer than any key: refuse pathological header values without looking further.
MAX_CREDENTIAL_LENGTH: Final = 256
_SCHEMES: Final = frozenset({"bearer", "key"})


class Caller:
    """Where a request comes from, read only if needed (noting a use once a minute, the
    Argon2id path): parsing the address is work most requests never need."""

    def __init__(self, request: HttpRequest | None = None, address: str | None = None) -> None:
        self._request = request
        self._address = address

    @functools.cached_property
    def address(self) -> str | None:
        if self._request is None:
            return self._address
        return client.client_address(self._request)


def extract_key(meta: dict[str, Any]) -> str | None:
    """The one key a request's headers (``request.META``) carry, or None if they carry no
    credential of ours: no X-Api-Key, and no Bearer/Key token that starts with
    ``clipia_``. InvalidApiKey for a malformed credential of ours, ConflictingCredentials
    for an X-Api-Key beside any Authorization. Never echoes a credential."""
    authorization = str(meta.get("HTTP_AUTHORIZATION", "")).strip()
    x_api_key = meta.get("HTTP_X_API_KEY")
    scheme, _, credential = authorization.partition(" ")
    if x_api_key is not None:
        x_api_key = _checked(str(x_api_key).strip())
        if authorization and credential.strip() != x_api_key:
            # Even beside a scheme that is not ours: which would the caller mean?
            raise ConflictingCredentials
        return x_api_key
    scheme, credential = scheme.lower(), credential.strip()
    if scheme not in _SCHEMES:
        return None
    if scheme == "bearer" and credential and not credential.startswith(keys.KEY_NAMESPACE):
        return None  # someone else's bearer token
    return _checked(credential)


def _checked(credential: str) -> str:
    if not credential or len(credential) > MAX_CREDENTIAL_LENGTH or " " in credential:
        raise InvalidApiKey
    return credential
