"""The key admin's pages beyond Django's own: revoking (from the list or a key's page),
rolling, ending an old secret's grace, and finding the key for a leaked key. Each asks
first and acts on a POST; the pages themselves are in ``revoke``, ``roll`` and ``leaked``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from apikeys.models import ApiKey
from clipia_console.staff.admin import roll
from clipia_console.staff.admin.leaked import find_leaked_key_view
from clipia_console.staff.admin.revoke import confirmation_page, revoke_and_report

if TYPE_CHECKING:
    KeyAdminBase = admin.ModelAdmin[ApiKey]
else:
    KeyAdminBase = object


class KeyActionsMixin(KeyAdminBase):
    @admin.action(description="Revoke selected keys…", permissions=["change"])
    def revoke_selected(
        self, request: HttpRequest, queryset: QuerySet[ApiKey]
    ) -> TemplateResponse | None:
        api_keys = list(queryset.select_related("owner"))
        if request.POST.get("post") != "yes":
            return confirmation_page(self, request, api_keys, from_action=True)
        revoke_and_report(self, request, api_keys)
        return None

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A key's own "Revoke this key…": GET asks, POST revokes and shows the key."""
        api_key = self._key_to_change(request, object_id)
        if request.method != "POST":
            return confirmation_page(self, request, [api_key], from_action=False)
        revoke_and_report(self, request, [api_key])
        return HttpResponseRedirect(reverse("admin:apikeys_apikey_change", args=[api_key.pk]))

    def roll_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return roll.roll_view(self, request, self._key_to_change(request, object_id))

    def end_grace_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return roll.end_grace_view(self, request, self._key_to_change(request, object_id))

    def find_leaked_view(self, request: HttpRequest) -> HttpResponse:
        return find_leaked_key_view(request, self)

    def _key_to_change(self, request: HttpRequest, object_id: str) -> ApiKey:
        api_key = self.get_object(request, unquote(object_id))
        if api_key is None:
            raise Http404("No such API key.")
        if not self.has_change_permission(request, api_key):
            raise PermissionDenied
        return api_key

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "find-leaked/",
                self.admin_site.admin_view(self.find_leaked_view),
                name="apikeys_apikey_find_leaked",
            ),
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="apikeys_apikey_revoke",
            ),
            path(
                "<path:object_id>/roll/",
                self.admin_site.admin_view(self.roll_view),
                name="apikeys_apikey_roll",
            ),
            path(
                "<path:object_id>/end-grace/",
                self.admin_site.admin_view(self.end_grace_view),
                name="apikeys_apikey_end_grace",
            ),
        ]
        return [*own, *super().get_urls()]
