"""The admin's form for creating a key on a customer's behalf.

It only collects and checks input; ``apikeys.services.create_key`` makes the key.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from apikeys.forms import CreateKeyForm


class ApiKeyCreationForm(CreateKeyForm):
    """The console's fields, plus whose key it is."""

    # A username or email rather than a <select> of every user: it scales to any number of
    # customers and needs no permission on the user admin.
    owner = forms.CharField(
        max_length=254,
        label="Owner",
        help_text="The customer's username or email address.",
    )
    field_order = ("owner", "name", "environment", "scopes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = "A label the customer will recognise."
        # Staff create keys for customers going to production; the console starts in test.
        self.fields["environment"].initial = "live"

    def clean_owner(self) -> AbstractBaseUser:
        return user_by_username_or_email(self.cleaned_data["owner"], active_only=True)


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
