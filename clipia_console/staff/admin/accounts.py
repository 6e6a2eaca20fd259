"""Staff pages for credit accounts and the ledger (generations: ``admin_generations``).

Balances change only through ``clipia_console.billing.credits`` (grant, deduct), which writes
the ledger in the same transaction; nothing here saves an Account or LedgerEntry itself.
Ledger entries are records of what happened, so they are read-only.

What each permission grants (also in the README's admin section): ``view_account`` shows
balances and ledgers; ``change_account`` grants and deducts credits for any customer and
refunds generations; ``add_account`` gives a customer's first credits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from clipia_console.billing import credits
from clipia_console.billing.models import Account, LedgerEntry
from clipia_console.staff.admin import generations as admin_generations
from clipia_console.staff.admin import users as admin_users
from clipia_console.staff.admin.account_forms import CreditAdjustmentForm, FirstGrantForm
from clipia_console.staff.admin.search import PastedKeySearchMixin
from clipia_console.staff.admin.support import ReadOnlyMixin, staff_user

if TYPE_CHECKING:
    AccountAdminBase = admin.ModelAdmin[Account]
    LedgerEntryAdminBase = admin.ModelAdmin[LedgerEntry]
    LedgerEntryInlineBase = admin.TabularInline[LedgerEntry, Account]
else:
    AccountAdminBase = LedgerEntryAdminBase = admin.ModelAdmin
    LedgerEntryInlineBase = admin.TabularInline

# Registered there; imported here so that admin autodiscovery (which imports admin.py) finds them.
GenerationAdmin = admin_generations.GenerationAdmin
AccountUserAdmin = admin_users.AccountUserAdmin

FORM_PAGE_TEMPLATE = "admin/clipia/form_page.html"
# The account page shows this many of the latest ledger entries; a busy account has
# thousands, which belong on the paginated ledger list it links to.
LEDGER_ROWS_ON_ACCOUNT_PAGE = 50


def _may_view_ledger(request: HttpRequest) -> bool:
    # The ledger is part of the account: whoever may view the account sees it.
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
        return _may_view_ledger(request)


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
        return _may_view_ledger(request)

    @admin.display(description="key")
    def key(self, entry: LedgerEntry) -> str:
        """The key that made the generation a charge or refund is for."""
        generation = entry.generation
        if generation is None or generation.api_key is None:
            return "-"
        return f"{generation.api_key.display_prefix}…"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_view_ledger(request)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # The account page links to its own entries with ?account__user__exact=<id>.
        return lookup == "account__user__exact" or super().lookup_allowed(lookup, value, request)


@admin.register(Account)
class AccountAdmin(PastedKeySearchMixin, AccountAdminBase):
    list_display = ("user", "email", "balance", "updated_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    fields = ("user", "balance", "ledger_total", "updated_at")
    readonly_fields = fields
    inlines = (LedgerEntryInline,)
    change_form_template = "admin/billing/account/change_form.html"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The ledger is append-only; deleting an account would delete its ledger.
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        admin_users.open_missing_accounts()
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Nothing on this page is a form field; balances change on the credits page.
        no_save = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), **no_save}
        )

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Account | None = None,
    ) -> HttpResponse:
        if obj is not None:
            context["ledger_entries"] = LedgerEntry.objects.filter(account=obj).count()
            context["ledger_rows_shown"] = LEDGER_ROWS_ON_ACCOUNT_PAGE
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Any, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, LedgerEntryInline) and obj is not None:
            latest = LedgerEntry.objects.filter(account=obj).order_by("-created_at", "-id")
            kwargs["queryset"] = kwargs["queryset"].filter(
                pk__in=latest.values("pk")[:LEDGER_ROWS_ON_ACCOUNT_PAGE]
            )
        return kwargs

    def save_model(self, request: HttpRequest, obj: Account, form: Any, change: bool) -> None:
        # Never save an Account row from a form: a full save would write back the balance
        # read when the page loaded, undoing any charge made since (the ledger would not).
        return

    @admin.display(description="email", ordering="user__email")
    def email(self, account: Account) -> str:
        return str(account.user.email)

    @admin.display(description="ledger total")
    def ledger_total(self, account: Account) -> int:
        return credits.ledger_sum(account.pk)

    def get_urls(self) -> list[URLPattern]:
        credits_url = path(
            "<path:object_id>/credits/",
            self.admin_site.admin_view(self.credits_view),
            name="billing_account_credits",
        )
        return [credits_url, *super().get_urls()]

    def credits_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Grant or deduct credits with a required reason, through the ledger."""
        account = self.get_object(request, unquote(object_id))
        if account is None:
            raise Http404("No such account.")
        if not self.has_change_permission(request, account):
            raise PermissionDenied
        form = CreditAdjustmentForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            amount = form.cleaned_data["amount"]
            reason = form.cleaned_data["reason"]
            user = account.user
            if form.cleaned_data["operation"] == CreditAdjustmentForm.GRANT:
                balance = credits.grant(user, amount, reason=reason, actor=staff_user(request))
                done = f"Granted {amount} credits"
            else:
                try:
                    balance = credits.deduct(user, amount, reason=reason, actor=staff_user(request))
                except credits.InsufficientCredits:
                    form.add_error(
                        "amount",
                        f"Cannot deduct {amount} credits: the balance is "
                        f"{credits.balance_of(account.pk)}. Nothing was deducted.",
                    )
                    return self._form_page(request, form, account)
                done = f"Deducted {amount} credits"
            return self._done(request, account, done, reason, balance)
        return self._form_page(request, form, account)

    def add_view(
        self,
        request: HttpRequest,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Accounts appear on a customer's first grant, so "add" is that grant."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = FirstGrantForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            user, amount = form.cleaned_data["user"], form.cleaned_data["amount"]
            balance = credits.grant(
                user, amount, reason=form.cleaned_data["reason"], actor=staff_user(request)
            )
            account = Account.objects.get(pk=user.pk)
            return self._done(
                request, account, f"Granted {amount} credits", form.cleaned_data["reason"], balance
            )
        return self._form_page(request, form, None)

    def _done(
        self, request: HttpRequest, account: Account, done: str, reason: str, balance: int
    ) -> HttpResponseRedirect:
        """Record a credit change in the admin history, say so, and show the account."""
        self.log_change(request, account, f"{done}: {reason}")
        self.message_user(request, f"{done}; the balance is now {balance}.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse(
                "admin:billing_account_change", args=[account.pk], current_app=self.admin_site.name
            )
        )

    def _form_page(
        self, request: HttpRequest, form: Any, account: Account | None
    ) -> TemplateResponse:
        title = f"Grant or deduct credits for {account.user}" if account else "Grant credits"
        return TemplateResponse(
            request,
            FORM_PAGE_TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.opts,
                "original": account,
                "form": form,
                "submit_label": "Apply" if account else "Grant",
                "intro": (
                    f"The balance is {credits.balance_of(account.pk)} credits."
                    if account
                    else "For a customer who has never had credits; the account starts here."
                ),
                "has_view_permission": self.has_view_permission(request),
            },
        )
