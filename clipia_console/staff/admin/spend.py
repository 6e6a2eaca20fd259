"""Staff edit a key's spend controls (budget, models, addresses, pause) on a page of
their own, through apikeys.controls and billing.budget_settings like the console and
commands; the key's page shows them read-only, with a link to that page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from apikeys import controls
from apikeys.exceptions import InvalidSetting
from apikeys.models import ApiKey
from clipia_console.staff.admin.spend_forms import SpendControlsForm
from clipia_console.staff.admin.support import admin_page, staff_actor

if TYPE_CHECKING:
    KeyAdminBase = admin.ModelAdmin[ApiKey]
else:
    KeyAdminBase = object

FORM_PAGE_TEMPLATE = "admin/clipia/form_page.html"


class SpendControlsMixin(KeyAdminBase):
    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets  # a key being added has no spend controls yet
        return [*fieldsets, ("Spend controls", {"fields": ("spend_controls",)})]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "spend_controls"]

    @admin.display(description="spend controls")
    def spend_controls(self, api_key: ApiKey) -> str:
        lines = format_html_join("", "{}<br>", ((line,) for line in controls.summary(api_key)[1:]))
        if api_key.revoked_at is not None:
            return lines  # a revoked key's controls can no longer change: offer nothing
        url = reverse("admin:apikeys_apikey_spending", args=[api_key.pk])
        return format_html('{}<a href="{}">Change spend controls</a>', lines, url)

    def get_urls(self) -> list[URLPattern]:
        spending = path(
            "<int:key_id>/spending/",
            self.admin_site.admin_view(self.spending_view),
            name="apikeys_apikey_spending",
        )
        return [spending, *super().get_urls()]

    def spending_view(self, request: HttpRequest, key_id: int) -> HttpResponse:
        api_key = get_object_or_404(ApiKey.objects.select_related("owner"), pk=key_id)
        if not self.has_change_permission(request, api_key):
            raise PermissionDenied
        form = SpendControlsForm(request.POST or None, api_key=api_key)
        if request.method == "POST" and form.is_valid():
            actor = staff_actor(request, owner_id=api_key.owner_id)
            try:
                changed = form.apply(api_key, actor)
            except InvalidSetting as exc:
                form.add_error(None, exc)
            else:
                if changed:
                    self.log_change(request, api_key, "Changed spend controls.")
                self.message_user(request, "Spend controls saved.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:apikeys_apikey_change", args=[key_id]))
        return admin_page(
            self,
            request,
            FORM_PAGE_TEMPLATE,
            title=f"Spend controls of {api_key}",
            original=api_key,
            form=form,
            submit_label="Save spend controls",
        )
