"""The key page's forms. They collect input; apikeys.controls and billing.budget_settings
check it (the same messages as the commands) and change the key."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from apikeys import controls
from apikeys.models import ApiKey, BudgetPeriod
from clipia_console.billing import budget_settings
from clipia_console.generations import catalog
from clipia_console.generations.models import VideoModel


class BudgetForm(forms.Form):
    budget_credits = forms.CharField(
        label="Budget (credits)",
        required=False,
        help_text="Leave empty for no budget: the account balance is the only limit.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    budget_period = forms.ChoiceField(label="Per", choices=BudgetPeriod.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["parsed"] = budget_settings.parse_budget(
                data.get("budget_credits"), data.get("budget_period")
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        return data


class ModelsForm(forms.Form):
    all_models = forms.BooleanField(label="Every model", required=False)
    models = forms.MultipleChoiceField(
        label="Only these models", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["models"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(model.id, model.name) for model in VideoModel.objects.all()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = None if data.get("all_models") else data.get("models", [])
        try:
            data["parsed"] = controls.parse_models(chosen, catalog.model_ids())
        except ValidationError as exc:
            self.add_error("models", exc.messages)
        return data


class AddressesForm(forms.Form):
    allowed_ips = forms.CharField(
        label="Allowed addresses",
        required=False,
        help_text="IPs or networks (IPv4 or IPv6), one per line or comma-separated. Empty: "
        "any address.",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = data.get("allowed_ips", "").replace(",", "\n")
        entries = [line for line in text.splitlines() if line.strip()]
        try:
            data["parsed"] = controls.parse_ips(entries or None)
        except ValidationError as exc:
            self.add_error("allowed_ips", exc.messages)
        return data


def initial_forms(api_key: ApiKey) -> dict[str, forms.Form]:
    return {
        "budget_form": BudgetForm(
            initial={
                "budget_credits": api_key.budget_credits or "",
                "budget_period": api_key.budget_period,
            }
        ),
        "models_form": ModelsForm(
            initial={
                "all_models": api_key.allowed_models is None,
                "models": api_key.allowed_models or [],
            }
        ),
        "addresses_form": AddressesForm(
            initial={"allowed_ips": "\n".join(api_key.allowed_ips or [])}
        ),
    }
