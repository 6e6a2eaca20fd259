"""Staff pages for the audit trail of API keys: append-only, so read-only here. Registered
when ``apikeys.admin`` imports this module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from apikeys.models import ApiKey, ApiKeyEvent
from clipia_console.staff.admin.search import PastedKeySearchMixin
from clipia_console.staff.admin.support import ReadOnlyMixin

if TYPE_CHECKING:
    ApiKeyEventAdminBase = admin.ModelAdmin[ApiKeyEvent]
    ApiKeyEventInlineBase = admin.TabularInline[ApiKeyEvent, ApiKey]
else:
    ApiKeyEventAdminBase = admin.ModelAdmin
    ApiKeyEventInlineBase = admin.TabularInline


class ApiKeyEventInline(ReadOnlyMixin, ApiKeyEventInlineBase):
    model = ApiKeyEvent
    fields = ("created_at", "kind", "reason", "actor_description", "client_address")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    @admin.display(description="actor")
    def actor_description(self, event: ApiKeyEvent) -> str:
        return event.actor_description


@admin.register(ApiKeyEvent)
class ApiKeyEventAdmin(PastedKeySearchMixin, ReadOnlyMixin, ApiKeyEventAdminBase):
    """The audit trail: append-only, so read-only here."""

    list_display = (
        "created_at",
        "kind",
        "reason",
        "key",
        "owner",
        "actor_description",
        "client_address",
    )
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
    fields = (
        "created_at",
        "kind",
        "reason",
        "key",
        "owner",
        "actor_description",
        "client_address",
    )
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
