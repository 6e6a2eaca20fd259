"""What the staff admin pages share: read-only records, the signed-in staff member, and
the context of a page the admin has no view of its own for (a confirmation, a form that
calls a service)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse

from apikeys import services

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin


class ReadOnlyMixin:
    """Viewable with the view permission; never added, changed or deleted through the
    admin (records that only the lifecycle and ledger code may write)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def admin_page(
    model_admin: ModelAdmin[Any],
    request: HttpRequest,
    template: str,
    *,
    title: str,
    shows_a_key: bool = False,
    **context: Any,
) -> TemplateResponse:
    """A page of ``model_admin``'s model rendered with ``template``: the site's context
    (sidebar, user links), what the breadcrumbs need (``opts``, ``app_label``, and
    ``has_view_permission`` to link the list), ``title``, then the page's own ``context``
    (``original``, the object, adds its own breadcrumb). A page that ``shows_a_key`` (the
    one response a new key is shown on) is never stored by a browser or a proxy."""
    opts = model_admin.opts
    response = TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "title": title,
            "opts": opts,
            "app_label": opts.app_label,
            "has_view_permission": model_admin.has_view_permission(request),
            **context,
        },
    )
    if shows_a_key:
        response["Cache-Control"] = "no-store"
    return response


def staff_user(request: HttpRequest) -> AbstractBaseUser:
    """The signed-in staff member, for audit and ledger records."""
    user = request.user
    if not isinstance(user, AbstractBaseUser):  # the admin only lets signed-in staff in
        raise PermissionDenied
    return user


def staff_actor(request: HttpRequest, *, owner_id: int) -> services.Actor:
    """The signed-in staff member acting on a customer's key, for its audit trail."""
    return services.Actor.from_request(request, owner_id=owner_id)
