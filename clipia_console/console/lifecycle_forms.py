"""The console's forms for what happens to a key after it is created: its expiry (asked
at creation), rolling it, and its name and note. They collect input and say what a
browser can get wrong; the rules live in apikeys.services and apikeys.rolling, whose
messages the views put back on these fields."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms

from apikeys import rolling, services
from apikeys.models import NAME_MAX_LENGTH, NOTE_MAX_LENGTH, ApiKey
from clipia_console.lib import clock

EXPIRY_CHOICES = (
    ("never", "Never"),
    ("7", "7 days"),
    ("30", "30 days"),
    ("90", "90 days"),
    ("date", "On a date"),
)
EXPIRY_DATE_MISSING = "Choose the date the key expires."
EXPIRY_DATE_UNUSED = "You gave an expiry date: choose “On a date” to use it, or clear the date."
# A date is the last day the key works: it expires at the midnight (UTC) that ends it.
_LAST_DAY_AHEAD = services.MAX_LIFETIME - timedelta(days=1)


class ExpiryForm(forms.Form):
    """A new key's expiry: ``cleaned_data["expires_at"]`` is a moment or None (never)."""

    expires = forms.ChoiceField(
        choices=EXPIRY_CHOICES, initial="never", widget=forms.RadioSelect, required=False
    )
    expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.get("expires") or "never"
        now = clock.now()
        if data.get("expires_on") and choice != "date":
            # Never silently drop a typed date: a key meant to expire would not.
            self.add_error("expires", EXPIRY_DATE_UNUSED)
        elif choice == "never":
            data["expires_at"] = None
        elif choice != "date":
            data["expires_at"] = now + timedelta(days=int(choice))
        elif data.get("expires_on") is None:
            if "expires_on" not in self.errors:
                self.add_error("expires_on", EXPIRY_DATE_MISSING)
        else:
            last_day: date = data["expires_on"]
            today = now.astimezone(UTC).date()
            if last_day < today:
                self.add_error("expires_on", services.EXPIRY_IN_PAST)
            elif last_day > today + _LAST_DAY_AHEAD:
                self.add_error("expires_on", services.EXPIRY_TOO_FAR)
            else:
                data["expires_at"] = datetime.combine(last_day + timedelta(days=1), time(), UTC)
        return data

    def date_bounds(self) -> tuple[date, date]:
        """The first and last day the date picker offers."""
        today = clock.now().astimezone(UTC).date()
        return today, today + _LAST_DAY_AHEAD


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

    @property
    def chosen_grace(self) -> timedelta:
        return rolling.GRACE_PERIODS[self.cleaned_data["grace"]]


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
