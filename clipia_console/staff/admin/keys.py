"""Staff pages for API keys and their audit trail.

Every change goes through ``apikeys.services``: keys are created with ``create_key``
(``key_creation``) and revoked with ``revoke_key`` (after a confirmation page,
``revoke``), so the admin writes the same audit events as the console and the commands.
Nothing here can show a key's hash, and a full key appears only in the response to the
POST that creates or rolls it (``roll``). Names, notes and request limits are saved
through ``services.update_name_and_note`` and ``services.set_generation_rate_limit``;
spend controls on a page of their own (``spend``).

What each permission grants (also in the README's admin section):
``view_apikey`` lists keys and their audit trail and finds the key for a leaked key;
``add_apikey`` mints a key for *any* active customer and sees it once; ``change_apikey``
renames, annotates, rolls (seeing the new key once), ends an old secret's grace, sets the
request limit and spend controls of and revokes any customer's keys. Nobody can delete a key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from apikeys import rolling, services
from apikeys.models import ApiKey
from apikeys.status import KeyStatus
from clipia_console.lib import clock
from clipia_console.staff.admin.events import ApiKeyEventInline
from clipia_console.staff.admin.filters import ScopeFilter, StatusFilter
from clipia_console.staff.admin.key_actions import KeyActionsMixin
from clipia_console.staff.admin.key_creation import KeyCreationMixin
from clipia_console.staff.admin.key_display import KeyColumns, with_exposure
from clipia_console.staff.admin.key_forms import ApiKeyChangeForm
from clipia_console.staff.admin.search import PastedKeySearchMixin
from clipia_console.staff.admin.spend import SpendControlsMixin
from clipia_console.staff.admin.support import staff_actor

if TYPE_CHECKING:
    ApiKeyAdminBase = admin.ModelAdmin[ApiKey]
else:
    ApiKeyAdminBase = admin.ModelAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(
    SpendControlsMixin,
    KeyActionsMixin,
    KeyCreationMixin,
    KeyColumns,
    PastedKeySearchMixin,
    ApiKeyAdminBase,
):
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiKey]:
        return with_exposure(
            super().get_queryset(request).defer("hashed_key", "previous_hashed_key")
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a key would delete its audit trail with it; revoke instead.
        return False

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        # Through the services, never obj.save(): each change is audited, and only its own
        # columns are written, so a roll or revocation committed meanwhile is kept.
        data = form.cleaned_data
        actor = staff_actor(request, owner_id=obj.owner_id)
        if "name" in data:
            services.update_name_and_note(obj, name=data["name"], note=data["note"], actor=actor)
        if "generation_rate_limit" in data:
            services.set_generation_rate_limit(obj, data["generation_rate_limit"], actor=actor)

    # Only the edits that can happen are offered: a revoked key is final, and "add" is its
    # own page, so the change form never offers "Save and add another".

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.status is KeyStatus.REVOKED:
            return (*fields, *self.editable_fields)
        return fields

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
