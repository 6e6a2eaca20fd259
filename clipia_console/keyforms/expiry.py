"""A new key's expiry, as a choice of periods or a last day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from apikeys import services
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

    def add_error(self, field: str | None, error: Any) -> None:
        """Form.add_error, where create_key's ValidationError about ``expires_at`` (the
        moment this form computes) lands on the field it was computed from: the date when
        "On a date" was chosen, else the choice. So a view adds create_key's refusal as it
        comes, ``form.add_error(None, refused)``."""
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            errors = dict(error.error_dict)
            if "expires_at" in errors:
                chosen_date = getattr(self, "cleaned_data", {}).get("expires") == "date"
                errors["expires_on" if chosen_date else "expires"] = errors.pop("expires_at")
                error = ValidationError(errors)
        super().add_error(field, error)

    def date_bounds(self) -> tuple[date, date]:
        """The first and last day the date picker offers."""
        today = clock.now().astimezone(UTC).date()
        return today, today + _LAST_DAY_AHEAD
