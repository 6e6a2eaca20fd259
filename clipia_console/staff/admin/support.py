"""What the staff admin pages share: the API key pages here and the account and
generation pages in clipia_console.api.admin."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from apikeys import services


class ReadOnlyMixin:
    """Viewable with the view permission; never added, changed or deleted through the
    admin (records that only the lifecycle and ledger code may write)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def staff_user(request: HttpRequest) -> AbstractBaseUser:
    """The signed-in staff member, for audit and ledger records."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):  # the admin only lets signed-in staff in
        raise PermissionDenied
    return user


def staff_actor(request: HttpRequest, *, owner_id: int) -> services.Actor:
    """The signed-in staff member acting on a customer's key, for its audit trail."""
    return services.Actor.from_request(request, owner_id=owner_id)
