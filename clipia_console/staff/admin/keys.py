"""Staff pages for API keys and their audit trail.

Every change goes through ``apikeys.services``: keys are created with ``create_key`` and
revoked with ``revoke_key`` (after a confirmation page, ``apikeys.admin_revoke``), so the
admin writes the same audit events as the console and the commands. Nothing here can show
a key's hash, and a full key appears only in the response to the POST that creates or
rolls it (``apikeys.admin_roll``). Names, notes and request limits are saved through
``services.update_name_and_note`` and ``services.set_generation_rate_limit``.

What each permission grants (also in the README's admin section):
``view_apikey`` lists keys and their audit trail and finds the key for a leaked key;
``add_apikey`` mints a key for *any* active customer and sees it once; ``change_apikey``
renames, annotates, rolls (seeing the new key once), ends an old secret's grace, sets the
request limit of and revokes any customer's keys. Nobody can delete a key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.views.decorators.debug import sensitive_variables

from apikeys import rolling, services
from apikeys.controls import KeyControls
from apikeys.exceptions import KeyLifecycleError
from apikeys.models import ApiKey
from apikeys.status import KeyStatus
from clipia_console.lib import clock

# Importing admin_events also registers the audit trail's own admin.
from clipia_console.staff.admin.events import ApiKeyEventInline
from clipia_console.staff.admin.filters import ScopeFilter, StatusFilter
from clipia_console.staff.admin.key_display import KeyColumns, with_exposure
from clipia_console.staff.admin.key_forms import ApiKeyChangeForm, ApiKeyCreationForm
from clipia_console.staff.admin.leaked import find_leaked_key_view
from clipia_console.staff.admin.revoke import confirmation_page, revoke_and_report
from clipia_console.staff.admin.roll import end_grace_view, roll_view
from clipia_console.staff.admin.search import PastedKeySearchMixin
from clipia_console.staff.admin.support import staff_actor

admin.site.site_header = "Clipia staff"
admin.site.site_title = "Clipia staff"
admin.site.index_title = "Support"

if TYPE_CHECKING:
    ApiKeyAdminBase = admin.ModelAdmin[ApiKey]
else:
    ApiKeyAdminBase = admin.ModelAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(KeyColumns, PastedKeySearchMixin, ApiKeyAdminBase):
    # Status early: it is what support looks for first. Narrow enough to fit 1440 px beside
    # the sidebar and filters: the prefix says the environment, and dates are short.
    list_display = (
        "name",
        "status",
        "display_prefix",
        "owner",
        "scopes",
        "last_used",
        "created",
    )
    list_select_related = ("owner",)
    list_filter = ("environment", StatusFilter, ScopeFilter)
    search_fields = ("lookup_id", "name", "owner__username", "owner__email")
    search_help_text = "Lookup id or key prefix, key name, owner username or email."
    actions = ("revoke_selected",)
    autocomplete_fields = ("owner",)
    # Keys are never edited beyond their label and request limit (ApiKeyChangeForm, saved
    # through the services): the secret, environment and scopes are what the customer was
    # promised when the key was shown, and rolling and revoking have their own audited
    # pages. No hash appears in any field list, so no form or page renders one.
    form = ApiKeyChangeForm
    editable_fields = ("name", "note", "generation_rate_limit")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "owner",
                    "name",
                    "note",
                    "display_prefix",
                    "environment",
                    "scopes",
                    "status",
                    "expires",
                )
            },
        ),
        ("Use", {"fields": ("created_at", "last_used_at", "last_used_address", "usage")}),
        ("Secret", {"fields": ("secret",)}),
        ("Limits", {"fields": ("generation_rate_limit",)}),
        ("Revocation", {"fields": ("revoked_at", "revoked_by")}),
    )
    readonly_fields = (
        "owner",
        "display_prefix",
        "environment",
        "scopes",
        "status",
        "expires",
        "created_at",
        "last_used_at",
        "last_used_address",
        "usage",
        "secret",
        "revoked_at",
        "revoked_by",
    )
    change_form_template = "admin/apikeys/apikey/change_form.html"
    inlines = (ApiKeyEventInline,)
    creation_template = "admin/apikeys/apikey/add_form.html"
    key_created_template = "admin/apikeys/apikey/key_created.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiKey]:
        return with_exposure(
            super().get_queryset(request).defer("hashed_key", "previous_hashed_key")
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a key would delete its audit trail with it; revoke instead.
        return False

    @sensitive_variables("raw_key")
    def add_view(
        self,
        request: HttpRequest,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Create a key for a customer and show it on this response only: not in a
        message, the session or a redirect, so it is gone once the page is left."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiKeyCreationForm(
            request.POST if request.method == "POST" else None, admin_site=self.admin_site
        )
        if form.is_valid():
            owner = form.cleaned_data["owner"]
            budget, period = form.cleaned_data["budget"]
            try:
                api_key, raw_key = services.create_key(
                    owner=owner,
                    name=form.cleaned_data["name"],
                    environment=form.cleaned_data["environment"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=form.expires_at(),
                    actor=staff_actor(request, owner_id=owner.pk),
                    controls=KeyControls(budget_credits=budget, budget_period=period),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(form.field_for(field), errors)
            except KeyLifecycleError as exc:
                form.add_error(None, str(exc))
            else:
                self.log_addition(request, api_key, [{"added": {}}])
                response = TemplateResponse(
                    request,
                    self.key_created_template,
                    {
                        **self._page_context(request, "API key created"),
                        "api_key": api_key,
                        "raw_key": raw_key,
                        "expires": self.expires(api_key),
                    },
                )
                response["Cache-Control"] = "no-store"
                return response
        return TemplateResponse(
            request,
            self.creation_template,
            {
                **self._page_context(request, "Create an API key"),
                "form": form,
                "submit_label": "Create key",
            },
        )

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        # Through the services, never obj.save(): each change is audited, and only its own
        # columns are written, so a roll or revocation committed meanwhile is kept.
        data = form.cleaned_data
        actor = staff_actor(request, owner_id=obj.owner_id)
        if "name" in data:
            services.update_name_and_note(obj, name=data["name"], note=data["note"], actor=actor)
        if "generation_rate_limit" in data:
            services.set_generation_rate_limit(obj, data["generation_rate_limit"], actor=actor)

    # Revoking: a confirmation page first (apikeys.admin_revoke), from the list or a key's page.

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

    # Rolling and ending a grace early: confirmation pages too (apikeys.admin_roll).

    def roll_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return roll_view(self, request, self._key_to_change(request, object_id))

    def end_grace_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return end_grace_view(self, request, self._key_to_change(request, object_id))

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

    def find_leaked_view(self, request: HttpRequest) -> HttpResponse:
        return find_leaked_key_view(request, self)

    # Only the edits that can happen are offered: a revoked key is final, and "add" is its
    # own page, so the change form never offers "Save and add another".

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        if obj is not None and obj.status is KeyStatus.REVOKED:
            return (*self.readonly_fields, *self.editable_fields)
        return self.readonly_fields

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        api_key = self.get_object(request, unquote(object_id))
        context: dict[str, Any] = {"show_save_and_add_another": False}
        if api_key is not None:
            is_revoked = api_key.status == KeyStatus.REVOKED
            may_change = self.has_change_permission(request, api_key)
            context["may_revoke"] = not is_revoked and may_change
            context["may_roll"] = api_key.can_roll(clock.now()) and may_change
            context["may_end_grace"] = may_change and rolling.previous_works(api_key, clock.now())
            if is_revoked:
                context.update(show_save=False, show_save_and_continue=False)
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), **context}
        )

    def _page_context(self, request: HttpRequest, title: str) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "has_view_permission": self.has_view_permission(request),
        }
