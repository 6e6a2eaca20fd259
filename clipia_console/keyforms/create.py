"""The form for a new key's name, environment, scopes, expiry and budget, as the console
asks for them (the admin's form adds an owner). It checks what a browser can get wrong;
the rules themselves (name length, environments, scopes, the active-key cap) live in
apikeys.services.create_key, whose errors the views put back on these fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from apikeys import services
from apikeys.models import NAME_MAX_LENGTH, SCOPES, BudgetPeriod
from clipia_console.billing import budget_settings
from clipia_console.keyforms.expiry import EXPIRY_CHOICES, ExpiryForm

# Test first: a new integration should start in the sandbox, where nothing is charged.
ENVIRONMENT_CHOICES = (("test", "Test"), ("live", "Live"))
SCOPE_CHOICES = tuple((scope, scope) for scope in SCOPES)


class CreateKeyForm(ExpiryForm):
    """Name, environment, scopes, expiry, and optionally a budget (more spend controls —
    models, addresses, pause — are on the key's page once it exists)."""

    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": services.NAME_MISSING, "max_length": services.NAME_TOO_LONG},
    )
    environment = forms.ChoiceField(
        choices=ENVIRONMENT_CHOICES,
        initial="test",
        widget=forms.RadioSelect,
        error_messages={
            "required": services.ENVIRONMENT_INVALID,
            "invalid_choice": services.ENVIRONMENT_INVALID,
        },
    )
    scopes = forms.MultipleChoiceField(
        choices=SCOPE_CHOICES,
        initial=list(SCOPES),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": services.SCOPES_MISSING,
            "invalid_choice": services.SCOPES_ALLOWED,
        },
    )
    budget_credits = forms.CharField(required=False, max_length=20, label="Budget (credits)")
    budget_period = forms.ChoiceField(
        choices=BudgetPeriod.choices, initial=BudgetPeriod.MONTH, required=False, label="Per"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            data["budget"] = budget_settings.parse_budget(
                data.get("budget_credits"), data.get("budget_period") or None
            )
        except ValidationError as invalid:
            self.add_error(None, invalid)
        return data


# What each scope grants, said next to its checkbox.
SCOPE_HELP = {
    "generate": "Start generations with POST /v1/models/…; live keys spend your credits.",
    "read": (
        "Lets the key read usage (GET /v1/usage). Every key can read its own generations, "
        "the account and the catalog."
    ),
}


def typed_fields(data: QueryDict) -> dict[str, Any]:
    """The create form's fields from ``data`` (a POST interrupted by signing in, or the
    query string it comes back with), trimmed to what the form accepts."""
    fields: dict[str, Any] = {}
    name = str(data.get("name", ""))[:NAME_MAX_LENGTH]
    if name:
        fields["name"] = name
    if data.get("environment") in dict(ENVIRONMENT_CHOICES):
        fields["environment"] = data["environment"]
    scopes = [scope for scope in data.getlist("scopes") if scope in SCOPES]
    if scopes:
        fields["scopes"] = scopes
    if data.get("expires") in dict(EXPIRY_CHOICES):
        fields["expires"] = data["expires"]
    expires_on = str(data.get("expires_on", ""))[:10]
    if expires_on:
        fields["expires_on"] = expires_on
    budget = str(data.get("budget_credits", ""))[:20]
    if budget:
        fields["budget_credits"] = budget
    if data.get("budget_period") in BudgetPeriod.values:
        fields["budget_period"] = data["budget_period"]
    return fields
