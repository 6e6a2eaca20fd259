"""Staff pages for the ledger: records of what happened to a balance, so read-only. The
ledger is part of the account: whoever may view accounts sees it, on the account page (its
latest entries, ``LedgerEntryInline``) and in full here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from clipia_console.billing.models import Account, LedgerEntry
from clipia_console.staff.admin.search import PastedKeySearchMixin
from clipia_console.staff.admin.support import ReadOnlyMixin

if TYPE_CHECKING:
    LedgerEntryAdminBase = admin.ModelAdmin[LedgerEntry]
    LedgerEntryInlineBase = admin.TabularInline[LedgerEntry, Account]
else:
    LedgerEntryAdminBase = admin.ModelAdmin
    LedgerEntryInlineBase = admin.TabularInline


def may_view_ledger(request: HttpRequest) -> bool:
    return any(
        request.user.has_perm(permission)
        for permission in (
            "billing.view_account",
            "billing.change_account",
            "billing.view_ledgerentry",
        )
    )


class LedgerEntryInline(ReadOnlyMixin, LedgerEntryInlineBase):
    model = LedgerEntry
    fields = ("created_at", "kind", "amount", "reason", "generation", "actor", "actor_label")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at", "-id")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_view_ledger(request)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(PastedKeySearchMixin, ReadOnlyMixin, LedgerEntryAdminBase):
    """Every ledger entry, paginated: the account page links here for the full history."""

    list_display = ("created_at", "account", "kind", "amount", "key", "reason", "actor_label")
    list_select_related = ("account__user", "generation__api_key")
    list_filter = ("kind",)
    search_fields = (
        "=generation__api_key__lookup_id",
        "account__user__username",
        "account__user__email",
        "reason",
    )
    search_help_text = "Key lookup id or prefix, owner username or email, or reason."
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_view_ledger(request)

    @admin.display(description="key")
    def key(self, entry: LedgerEntry) -> str:
        """The key that made the generation a charge or refund is for."""
        generation = entry.generation
        if generation is None or generation.api_key is None:
            return "-"
        return f"{generation.api_key.display_prefix}…"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_view_ledger(request)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # The account page links to its own entries with ?account__user__exact=<id>.
        return lookup == "account__user__exact" or super().lookup_allowed(lookup, value, request)
