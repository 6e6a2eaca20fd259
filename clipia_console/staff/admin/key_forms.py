"""The admin's forms for a key: creating one on a customer's behalf, its editable fields,
and the grace of a roll.

They only collect and check input; ``apikeys.services`` and ``apikeys.rolling`` act.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from apikeys import rolling, services
from apikeys.models import NAME_MAX_LENGTH, NOTE_MAX_LENGTH, ApiKey
from clipia_console.generations import request_limits
from clipia_console.keyforms.create import CreateKeyForm
from clipia_console.keyforms.roll import early_end_field, quiet_after

EXPIRY_DATE_HELP = (
    "With “On a date”: the key works until the end of that day (UTC), at most a year ahead."
)

if TYPE_CHECKING:
    KeyModelForm = forms.ModelForm[ApiKey]
else:
    KeyModelForm = forms.ModelForm


class ApiKeyCreationForm(CreateKeyForm):
    """The console's fields and defaults (a new key starts in Test), plus whose key it is."""

    # The admin's autocomplete searches the user admin's search_fields (username, names,
    # email) as staff type, so it scales to any number of customers. It needs the user
    # admin's view permission, as every autocomplete of users does.
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        label="Owner",
        help_text="The customer: type part of their username or email address.",
        error_messages={
            "required": "Choose the customer who will own the key.",
            "invalid_choice": "No such active user: choose the customer from the list.",
        },
    )
    field_order = ("owner", "name", "environment", "scopes", "expires", "expires_on")

    def __init__(self, *args: Any, admin_site: AdminSite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.widget = AutocompleteSelect(ApiKey._meta.get_field("owner"), admin_site)
        owner.widget.choices = owner.choices
        self.fields["name"].help_text = "A label the customer will recognise."
        # The console's expiry rule (keyforms.expiry.ExpiryForm), with the admin's words.
        self.fields["expires"].label = "Expires"
        self.fields["expires_on"].label = "Expiry date"
        self.fields["expires_on"].help_text = EXPIRY_DATE_HELP
        first, last = self.date_bounds()
        self.fields["expires_on"].widget.attrs.update(min=first.isoformat(), max=last.isoformat())

    def expires_at(self) -> datetime | None:
        """When the key chosen expires (None: never). Call once the form is valid."""
        expires_at: datetime | None = self.cleaned_data.get("expires_at")
        return expires_at

    def field_for(self, service_field: str) -> str | None:
        """The field to show create_key's ValidationError about ``service_field`` on."""
        if service_field == "expires_at":
            return "expires_on" if self.cleaned_data.get("expires") == "date" else "expires"
        return service_field if service_field in self.fields else None


class ApiKeyChangeForm(KeyModelForm):
    """What staff may change on a key: its label and its request limit. The admin's
    save_model hands them to services.update_name_and_note and set_generation_rate_limit,
    which say the same as these messages about what they refuse."""

    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": services.NAME_MISSING, "max_length": services.NAME_TOO_LONG},
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Optional: where the key is stored, who runs it. Never the key itself.",
        error_messages={"max_length": services.NOTE_TOO_LONG},
    )
    generation_rate_limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=services.MAX_GENERATION_RATE_LIMIT,
        label="Generation requests per minute",
        error_messages={
            "invalid": services.RATE_LIMIT_INVALID,
            "min_value": services.RATE_LIMIT_INVALID,
            "max_value": services.RATE_LIMIT_INVALID,
        },
    )

    class Meta:
        model = ApiKey
        fields = ("name", "note", "generation_rate_limit")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "generation_rate_limit" in self.fields:
            default = request_limits.limit_for(ApiKey(environment=self.instance.environment))
            self.fields["generation_rate_limit"].help_text = (
                f"Empty for the {self.instance.get_environment_display().lower()} "
                f"environment's default, {default} per minute."
            )


class RollForm(forms.Form):
    grace = forms.ChoiceField(
        choices=tuple(rolling.GRACE_LABELS.items()),
        initial="24h",
        widget=forms.RadioSelect,
        label="Grace for the old secret",
        help_text="Never past the key's expiry, and never sooner unless you choose an "
        "early end below.",
        error_messages={
            "required": "Choose how long the old secret keeps working.",
            "invalid_choice": "Choose how long the old secret keeps working.",
        },
    )

    early_end = early_end_field()

    def grace_period(self) -> timedelta:
        return rolling.GRACE_PERIODS[self.cleaned_data["grace"]]

    def quiet_after(self) -> timedelta | None:
        return quiet_after(self.cleaned_data.get("early_end"))


def user_by_username_or_email(value: str, *, active_only: bool) -> AbstractBaseUser:
    """The one user ``value`` names, or a ValidationError saying why there is none."""
    users = get_user_model().objects.all()
    if active_only:
        users = users.filter(is_active=True)
    value = value.strip()
    # Usernames are unique; emails are not, so an email must name exactly one user.
    matches = list(users.filter(username=value)[:1]) or list(users.filter(email__iexact=value)[:2])
    if not matches:
        raise forms.ValidationError("No such user: enter a username or email address.")
    if len(matches) > 1:
        raise forms.ValidationError("Several users have that email; enter the username.")
    return matches[0]
