"""The admin's form for creating a key on a customer's behalf.

It only collects and checks input; ``apikeys.services.create_key`` makes the key.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from apikeys.forms import CreateKeyForm
from apikeys.models import ApiKey


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
    field_order = ("owner", "name", "environment", "scopes")

    def __init__(self, *args: Any, admin_site: AdminSite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.widget = AutocompleteSelect(ApiKey._meta.get_field("owner"), admin_site)
        owner.widget.choices = owner.choices
        self.fields["name"].help_text = "A label the customer will recognise."


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
