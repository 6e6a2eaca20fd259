"""Permissions for views authenticated by API key: scopes, allowed client addresses."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apikeys.models import SCOPES, ApiKey
from clipia_console.lib.client_address import client_address

if TYPE_CHECKING:
    # Only for annotations: DRF imports the default permission classes while
    # rest_framework.views is still loading.
    from rest_framework.views import APIView

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


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
        address = client_address(request._request)
        if address is not None and is_allowed(address, key.allowed_ips):
            return True
        seen = address or "an address we could not read"
        self.message = (
            f"This API key does not work from {seen}. Its owner can add that address to "
            "the key's allowed addresses."
        )
        return False


def is_allowed(address: str, networks: Iterable[str]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in _parsed(tuple(networks)))


@functools.lru_cache(maxsize=1024)
def _parsed(networks: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in networks)
