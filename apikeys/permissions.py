"""Permissions for views authenticated by API key: scopes, and the words of an address refusal."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apikeys.exceptions import AddressNotAllowed
from apikeys.models import SCOPES, ApiKey

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


def address_refused_message(refused: AddressNotAllowed) -> str:
    seen = refused.address or "an address we could not read"
    return (
        f"This API key does not work from {seen}. Its owner can add that address to the "
        "key's allowed addresses."
    )
