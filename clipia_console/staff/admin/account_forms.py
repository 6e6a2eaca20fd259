"""The admin's forms for changing a credit balance by hand.

They only collect and check input; ``clipia_console.billing.credits`` changes the balance and
writes the ledger.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AbstractBaseUser

from clipia_console.staff.admin.key_forms import user_by_username_or_email

# Far above any real correction, far below what a BigIntegerField holds: a typo of a few
# extra digits is refused rather than granted.
MAX_ADJUSTMENT = 10_000_000


class CreditAdjustmentForm(forms.Form):
    GRANT = "grant"
    DEDUCT = "deduct"

    operation = forms.ChoiceField(
        choices=((GRANT, "Grant credits"), (DEDUCT, "Deduct credits")),
        widget=forms.RadioSelect,
        initial=GRANT,
    )
    amount = forms.IntegerField(min_value=1, max_value=MAX_ADJUSTMENT)
    reason = forms.CharField(
        max_length=200,
        help_text="Required. Written to the ledger, e.g. the support ticket number.",
    )


class FirstGrantForm(forms.Form):
    """Credits for a customer who has no account row yet (it appears on the first grant)."""

    user = forms.CharField(
        max_length=254, label="Customer", help_text="The customer's username or email address."
    )
    amount = forms.IntegerField(min_value=1, max_value=MAX_ADJUSTMENT)
    reason = forms.CharField(
        max_length=200,
        help_text="Required. Written to the ledger, e.g. the support ticket number.",
    )

    def clean_user(self) -> AbstractBaseUser:
        return user_by_username_or_email(self.cleaned_data["user"], active_only=False)
