"""The admin's spend-controls form: every control of a key on one page, checked by the
parsers of apikeys.controls and billing.budget_settings and applied by their services
(each writes its audit event)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from apikeys import controls
from apikeys.models import ApiKey, BudgetPeriod
from apikeys.services import Actor
from apikeys.status import KeyStatus
from clipia_console.billing import budget_settings
from clipia_console.generations import catalog


class SpendControlsForm(forms.Form):
    budget_credits = forms.CharField(
        label="Budget (credits)", required=False, help_text="Empty: no budget."
    )
    budget_period = forms.ChoiceField(label="Budget period", choices=BudgetPeriod.choices)
    allowed_models = forms.CharField(
        label="Allowed models",
        required=False,
        help_text="Model ids, comma-separated. Empty: every model.",
    )
    allowed_ips = forms.CharField(
        label="Allowed addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="IPs or CIDRs, comma-separated or one per line. Empty: any address.",
    )
    paused = forms.BooleanField(label="Spending paused", required=False)

    def __init__(self, *args: Any, api_key: ApiKey, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "budget_credits": api_key.budget_credits or "",
                "budget_period": api_key.budget_period,
                "allowed_models": ", ".join(api_key.allowed_models or []),
                "allowed_ips": "\n".join(api_key.allowed_ips or []),
                "paused": api_key.paused_at is not None,
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["budget"] = budget_settings.parse_budget(
                data.get("budget_credits"), data.get("budget_period")
            )
            models = controls.comma_list(data.get("allowed_models") or None)
            data["models"] = controls.parse_models(models, catalog.model_ids())
            text = (data.get("allowed_ips") or "").replace("\n", ",")
            data["ips"] = controls.parse_ips(controls.comma_list(text or None))
        except ValidationError as exc:
            self.add_error(None, exc)
        return data

    def apply(self, api_key: ApiKey, actor: Actor) -> bool:
        data = self.cleaned_data
        credits, period = data["budget"]
        changed = [
            budget_settings.set_budget(api_key, credits, period, actor=actor),
            controls.set_allowed_models(api_key, data["models"], actor=actor),
            controls.set_allowed_ips(api_key, data["ips"], actor=actor),
        ]
        if data["paused"] and api_key.status == KeyStatus.ACTIVE:
            changed.append(controls.pause(api_key, actor=actor))
        elif not data["paused"] and api_key.paused_at is not None:
            changed.append(controls.resume(api_key, actor=actor))
        return any(changed)
