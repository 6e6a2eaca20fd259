"""Staff pages for generations: read-only records, findable by key, refundable.

"Refund selected live generations…" shows what it would do (the total, what is cancelled,
what is skipped) and acts only on the second POST, through
``clipia_console.generations.refunds``. It needs ``billing.change_account``: a refund adds
credits to an account, as a grant does.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from apikeys.models import ApiKey
from clipia_console.generations import refunds
from clipia_console.generations.models import Generation
from clipia_console.staff.admin.search import PastedKeySearchMixin
from clipia_console.staff.admin.support import ReadOnlyMixin, admin_page

if TYPE_CHECKING:
    GenerationAdminBase = admin.ModelAdmin[Generation]
else:
    GenerationAdminBase = admin.ModelAdmin

REFUND_CONFIRMATION_TEMPLATE = "admin/generations/generation/refund_confirmation.html"


class KeyFilter(admin.SimpleListFilter):
    """``?key=<lookup id>``: one key's generations, as a key's admin page links to them.
    Not a list of every key (there are too many); search by key to find one."""

    title = "API key"
    parameter_name = "key"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        lookup_id = self.value()
        if not lookup_id:
            return []
        api_key = ApiKey.objects.filter(lookup_id=lookup_id).first()
        return [(lookup_id, f"{api_key.display_prefix}…" if api_key else lookup_id)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        lookup_id = self.value()
        return queryset.filter(api_key__lookup_id=lookup_id) if lookup_id else queryset


@admin.register(Generation)
class GenerationAdmin(PastedKeySearchMixin, ReadOnlyMixin, GenerationAdminBase):
    list_display = ("id", "owner", "key", "environment", "model", "status", "cost", "created_at")
    list_select_related = ("owner", "model", "api_key")
    list_filter = ("environment", "status", "model", KeyFilter)
    search_fields = ("=api_key__lookup_id", "owner__username", "owner__email")
    search_help_text = (
        "Generation id, key lookup id or prefix (or paste the key: only its lookup id is "
        "searched), or owner username or email."
    )
    date_hierarchy = "created_at"
    actions = ("refund_selected",)
    fields = (
        "id",
        "owner",
        "api_key",
        "environment",
        "model",
        "status",
        "cost",
        "prompt",
        "params",
        "result",
        "error",
        "created_at",
        "completed_at",
    )
    readonly_fields = fields

    @admin.display(description="key", ordering="api_key__lookup_id")
    def key(self, generation: Generation) -> str:
        return f"{generation.api_key.display_prefix}…" if generation.api_key else "-"

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # An account page links to its customer's generations with ?owner__id__exact=<id>.
        return lookup == "owner__id__exact" or super().lookup_allowed(lookup, value, request)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Generation], search_term: str
    ) -> tuple[QuerySet[Generation], bool]:
        # Ids are UUIDs: match a whole pasted id exactly, whatever the database stores
        # them as (SQLite keeps them without hyphens, so a text search would miss).
        try:
            generation_id = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(pk=generation_id), False

    def has_refund_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.change_account")

    @admin.action(description="Refund selected live generations…", permissions=["refund"])
    def refund_selected(
        self, request: HttpRequest, queryset: QuerySet[Generation]
    ) -> TemplateResponse | None:
        generations = list(queryset.select_related("owner", "api_key"))
        if request.POST.get("post") != "yes":
            return self._refund_confirmation(request, generations)
        outcome = refunds.refund_generations(generations)
        for generation in outcome.refunded:
            self.log_change(request, generation, f"Refunded {generation.cost} credits.")
        self.message_user(
            request,
            _refund_summary(outcome),
            messages.SUCCESS if outcome.refunded else messages.WARNING,
        )
        return None

    def _refund_confirmation(
        self, request: HttpRequest, generations: list[Generation]
    ) -> TemplateResponse:
        return admin_page(
            self,
            request,
            REFUND_CONFIRMATION_TEMPLATE,
            title="Refund generations?",
            generations=generations,
            plan=refunds.plan_refund(generations),
            action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
        )


def _refund_summary(outcome: refunds.RefundOutcome) -> str:
    def ids(generations: list[Generation]) -> str:
        return ", ".join(str(generation.pk) for generation in generations)

    count = len(outcome.refunded)
    parts = [
        f"Refunded {count} generation{'' if count == 1 else 's'}, {outcome.total} credits"
        + (f" ({len(outcome.cancelled)} queued, now cancelled)." if outcome.cancelled else ".")
    ]
    if outcome.already_refunded:
        parts.append(
            f"Skipped {len(outcome.already_refunded)} already refunded: "
            f"{ids(outcome.already_refunded)}."
        )
    if outcome.not_charged:
        parts.append(
            f"Skipped {len(outcome.not_charged)} that cost nothing (test or free): "
            f"{ids(outcome.not_charged)}."
        )
    return " ".join(parts)
