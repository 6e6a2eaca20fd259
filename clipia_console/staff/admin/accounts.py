"""Staff pages for credit accounts: one per customer, with its balance and its latest
ledger entries (the ledger itself: ``ledger``; changing a balance: ``account_credits``).

Balances change only through ``clipia_console.billing.credits`` (grant, deduct), which writes
the ledger in the same transaction; nothing here saves an Account or LedgerEntry itself.

What each permission grants (also in the README's admin section): ``view_account`` shows
balances and ledgers; ``change_account`` grants and deducts credits for any customer and
refunds generations; ``add_account`` gives a customer's first credits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse

from clipia_console.billing import credits
from clipia_console.billing.models import Account, LedgerEntry
from clipia_console.staff.admin.account_credits import AccountCreditsMixin
from clipia_console.staff.admin.ledger import LedgerEntryInline
from clipia_console.staff.admin.search import PastedKeySearchMixin

if TYPE_CHECKING:
    AccountAdminBase = admin.ModelAdmin[Account]
else:
    AccountAdminBase = admin.ModelAdmin

# The account page shows this many of the latest ledger entries; a busy account has
# thousands, which belong on the paginated ledger list it links to.
LEDGER_ROWS_ON_ACCOUNT_PAGE = 50


def open_missing_accounts() -> None:
    """Give every user without one an empty account, so the accounts list holds every
    customer, not only those ever granted credits. An empty account is what a first grant
    would create (balance 0, no ledger entry), so the balance still equals the ledger.
    Done when staff open the list rather than by a signal and a data migration: it holds
    however users were made (createsuperuser, bulk_create, fixtures) and costs one
    anti-join query when nothing is missing."""
    missing = (
        get_user_model().objects.filter(credit_account__isnull=True).values_list("pk", flat=True)
    )
    Account.objects.bulk_create(
        [Account(user_id=user_id) for user_id in missing], ignore_conflicts=True
    )


@admin.register(Account)
class AccountAdmin(AccountCreditsMixin, PastedKeySearchMixin, AccountAdminBase):
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
        open_missing_accounts()
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
