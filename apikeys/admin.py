"""Staff pages for API keys and their audit trail.

Every change goes through ``apikeys.services``: keys are created with ``create_key`` and
revoked with ``revoke_key``, so the admin writes the same audit events as the console and
the commands. Nothing here can show a key's hash, and a full key appears only in the
response to the POST that creates it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views.decorators.debug import sensitive_variables

from apikeys import keys, services
from apikeys.admin_filters import ScopeFilter, StatusFilter, status_of
from apikeys.admin_forms import ApiKeyCreationForm
from apikeys.admin_support import ReadOnlyMixin, staff_user
from apikeys.client import client_address
from apikeys.models import ApiKey, ApiKeyEvent

if TYPE_CHECKING:
    ApiKeyAdminBase = admin.ModelAdmin[ApiKey]
    ApiKeyEventAdminBase = admin.ModelAdmin[ApiKeyEvent]
    ApiKeyEventInlineBase = admin.TabularInline[ApiKeyEvent, ApiKey]
else:
    ApiKeyAdminBase = ApiKeyEventAdminBase = admin.ModelAdmin
    ApiKeyEventInlineBase = admin.TabularInline


class ApiKeyEventInline(ReadOnlyMixin, ApiKeyEventInlineBase):
    model = ApiKeyEvent
    fields = ("created_at", "kind", "actor_description", "client_address")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    @admin.display(description="actor")
    def actor_description(self, event: ApiKeyEvent) -> str:
        return event.actor_description


@admin.register(ApiKey)
class ApiKeyAdmin(ApiKeyAdminBase):
    list_display = (
        "owner",
        "name",
        "display_prefix",
        "environment",
        "scopes",
        "created_at",
        "last_used_at",
        "status",
    )
    list_select_related = ("owner",)
    list_filter = ("environment", StatusFilter, ScopeFilter)
    search_fields = ("lookup_id", "name", "owner__username", "owner__email")
    search_help_text = "Lookup id or key prefix, key name, owner username or email."
    actions = ("revoke_selected",)
    # Keys are never edited beyond their label: the secret, environment and scopes are
    # what the customer was promised when the key was shown, and revocation has its own
    # audited action. hashed_key appears in no field list, so no form or page renders it.
    fields = (
        "owner",
        "name",
        "display_prefix",
        "environment",
        "scopes",
        "status",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )
    readonly_fields = tuple(field for field in fields if field != "name")
    inlines = (ApiKeyEventInline,)
    creation_template = "admin/apikeys/apikey/add_form.html"
    key_created_template = "admin/apikeys/apikey/key_created.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiKey]:
        return super().get_queryset(request).defer("hashed_key")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a key would delete its audit trail with it; revoke instead.
        return False

    @admin.display(description="prefix")
    def display_prefix(self, api_key: ApiKey) -> str:
        return f"{api_key.display_prefix}…"

    @admin.display(description="status")
    def status(self, api_key: ApiKey) -> str:
        return status_of(api_key)

    @admin.display(description="revoked by")
    def revoked_by(self, api_key: ApiKey) -> str:
        event = api_key.events.filter(kind=ApiKeyEvent.Kind.REVOKED).select_related("actor").first()
        return event.actor_description if event is not None else "-"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Staff often paste a prefix, or a whole leaked key, to find a key. Search by its
        # lookup id instead, and redirect so the page never echoes a pasted key back.
        query = request.GET.get("q", "")
        if keys.lookup_id_in(query) is not None:
            params = request.GET.copy()
            params["q"] = " ".join(keys.lookup_id_in(term) or term for term in query.split())
            return HttpResponseRedirect(f"{request.path}?{params.urlencode()}")
        return super().changelist_view(request, extra_context)

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
        form = ApiKeyCreationForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            owner = form.cleaned_data["owner"]
            try:
                api_key, raw_key = services.create_key(
                    owner=owner,
                    name=form.cleaned_data["name"],
                    environment=form.cleaned_data["environment"],
                    scopes=form.cleaned_data["scopes"],
                    actor=_staff_actor(request, owner_id=owner.pk),
                )
            except services.InvalidKeyInput as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            except services.KeyLifecycleError as exc:
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
        # Only the name is editable. Saving just that column means a revocation or hash
        # upgrade committed while the form was open is never overwritten.
        obj.save(update_fields=["name"])

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        revoked = 0
        for api_key in queryset:
            if services.revoke_key(api_key, actor=_staff_actor(request, owner_id=api_key.owner_id)):
                revoked += 1
                self.log_change(request, api_key, "Revoked the key.")
        skipped = len(queryset) - revoked
        self.message_user(
            request,
            f"Revoked {revoked} key{'s' if revoked != 1 else ''}."
            + (f" {skipped} already revoked." if skipped else ""),
            messages.SUCCESS,
        )

    def _page_context(self, request: HttpRequest, title: str) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "has_view_permission": self.has_view_permission(request),
        }


@admin.register(ApiKeyEvent)
class ApiKeyEventAdmin(ReadOnlyMixin, ApiKeyEventAdminBase):
    """The audit trail: append-only, so read-only here."""

    list_display = ("created_at", "kind", "key", "owner", "actor_description", "client_address")
    list_select_related = ("api_key__owner", "actor")
    list_filter = ("kind", "actor_kind")
    search_fields = (
        "api_key__lookup_id",
        "api_key__name",
        "api_key__owner__username",
        "actor__username",
        "actor_label",
    )
    date_hierarchy = "created_at"
    fields = ("created_at", "kind", "key", "owner", "actor_description", "client_address")
    readonly_fields = fields

    @admin.display(description="key")
    def key(self, event: ApiKeyEvent) -> str:
        return f"{event.api_key.display_prefix}… ({event.api_key.name})"

    @admin.display(description="owner")
    def owner(self, event: ApiKeyEvent) -> str:
        return event.api_key.owner.get_username()

    # Not named "actor": a model field of that name would win over this method.
    @admin.display(description="actor")
    def actor_description(self, event: ApiKeyEvent) -> str:
        return event.actor_description


def _staff_actor(request: HttpRequest, *, owner_id: int) -> services.Actor:
    return services.Actor.person(
        staff_user(request), owner_id=owner_id, client_address=client_address(request)
    )
