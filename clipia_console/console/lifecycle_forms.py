"""The console's forms for what happens to a key after it is created: rolling it, and its
name and note. They collect input and say what a
browser can get wrong; the rules live in apikeys.services and apikeys.rolling, whose
messages the views put back on these fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms

from apikeys import rolling, services
from apikeys.models import NAME_MAX_LENGTH, NOTE_MAX_LENGTH, ApiKey
from clipia_console.keyforms.roll import early_end_field, quiet_after
from clipia_console.lib import clock


class RollForm(forms.Form):
    """The grace the old secret keeps; each choice says when it ends if the key's own
    expiry cuts it short (rolling.roll_key never lets it outlive the key)."""

    grace = forms.ChoiceField(
        widget=forms.RadioSelect,
        initial="1h",
        error_messages={
            "required": "Choose how long the old secret keeps working.",
            "invalid_choice": "Choose how long the old secret keeps working.",
        },
    )

    def __init__(self, *args: Any, api_key: ApiKey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grace"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (name, _grace_label(name, api_key, clock.now())) for name in rolling.GRACE_PERIODS
        ]

    early_end = early_end_field()

    @property
    def chosen_grace(self) -> timedelta:
        return rolling.GRACE_PERIODS[self.cleaned_data["grace"]]

    @property
    def chosen_quiet_after(self) -> timedelta | None:
        return quiet_after(self.cleaned_data.get("early_end"))


def _grace_label(name: str, api_key: ApiKey, now: datetime) -> str:
    label = rolling.GRACE_LABELS[name]
    period = rolling.GRACE_PERIODS[name]
    if period and api_key.expires_at is not None and api_key.expires_at < now + period:
        ends = api_key.expires_at.astimezone(UTC)
        return f"{label}: cut short, the key itself expires {ends:%b} {ends.day}, {ends:%H:%M} UTC"
    return label


RETURN_TO_CHOICES = (("list", "the key list"), ("key", "the key page"))


class EditKeyForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": services.NAME_MISSING, "max_length": services.NAME_TOO_LONG},
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": services.NOTE_TOO_LONG},
    )
    # Where a page without JavaScript goes back to: a choice, never a URL (no open redirect).
    return_to = forms.ChoiceField(choices=RETURN_TO_CHOICES, required=False)
