"""Changing a balance by hand from the admin: *Grant or deduct credits* on an account's
page, and "add account", which is a customer's first grant.

Balances change only through ``clipia_console.billing.credits`` (grant, deduct), which
writes the ledger in the same transaction; nothing here saves an Account or LedgerEntry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from clipia_console.billing import credits
from clipia_console.billing.models import Account
from clipia_console.staff.admin.account_forms import CreditAdjustmentForm, FirstGrantForm
from clipia_console.staff.admin.support import admin_page, staff_user

if TYPE_CHECKING:
    from django.contrib import admin

    AccountAdminBase = admin.ModelAdmin[Account]
else:
    AccountAdminBase = object

FORM_PAGE_TEMPLATE = "admin/clipia/form_page.html"


class AccountCreditsMixin(AccountAdminBase):
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
        self, request: HttpRequest, form: Form, account: Account | None
    ) -> TemplateResponse:
        return admin_page(
            self,
            request,
            FORM_PAGE_TEMPLATE,
            title=f"Grant or deduct credits for {account.user}" if account else "Grant credits",
            original=account,
            form=form,
            submit_label="Apply" if account else "Grant",
            intro=(
                f"The balance is {credits.balance_of(account.pk)} credits."
                if account
                else "For a customer who has never had credits; the account starts here."
            ),
        )
