"""Permissions for views authenticated by API key: scopes, allowed client addresses."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apikeys import controls
from apikeys.exceptions import AddressNotAllowed
from apikeys.models import SCOPES, ApiKey
from clipia_console.lib.client_address import client_address

if TYPE_CHECKING:
    # Only for annotations: DRF imports the default permission classes while
    # rest_framework.views is still loading.
    from rest_framework.views import APIView


def requires_scope(scope: str, *, methods: Collection[str] | None = None) -> type[BasePermission]:
    """A permission class: the request's key must carry ``scope`` (for ``methods`` only,
    when given). A valid key without it gets 403 ``insufficient_scope``."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    only = frozenset(method.upper() for method in methods) if methods else None

    class HasScope(BasePermission):
        message = f"This API key lacks the {scope!r} scope, which this request requires."
        code = "insufficient_scope"

        def has_permission(self, request: Request, view: APIView) -> bool:
            if only is not None and request.method not in only:
                return True
            key = request.auth
            return isinstance(key, ApiKey) and key.has_scope(scope)

    HasScope.__name__ = HasScope.__qualname__ = f"HasScope_{scope}"
    return HasScope


class FromAllowedAddress(BasePermission):
    """A key with ``allowed_ips`` works only from those addresses (IPs or CIDRs, v4 or
    v6); anywhere else gets 403 ``ip_not_allowed``, naming the address we saw (through
    APIKEYS_NUM_PROXIES trusted proxies) so a customer behind a proxy can tell. Reads the
    row authentication loaded: no query. Requests without a key pass (IsAuthenticated
    answers those)."""

    code = "ip_not_allowed"

    def has_permission(self, request: Request, view: APIView) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey) or key.allowed_ips is None:
            return True
        try:
            controls.check_address(key, client_address(request._request))
        except AddressNotAllowed as refused:
            self.message = address_refused_message(refused)
            return False
        return True


def address_refused_message(refused: AddressNotAllowed) -> str:
    seen = refused.address or "an address we could not read"
    return (
        f"This API key does not work from {seen}. Its owner can add that address to the "
        "key's allowed addresses."
    )
