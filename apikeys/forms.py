"""The form for a new key's name, environment and scopes, as the console asks for them (the
admin's form adds an owner). It checks what a browser can get wrong; the rules themselves
(name length, environments, scopes, the active-key cap) live in
apikeys.services.create_key, whose errors the views put back on these fields."""

from __future__ import annotations

from django import forms

from apikeys import services
from apikeys.lifecycle_forms import ExpiryForm
from apikeys.models import NAME_MAX_LENGTH, SCOPES

# Test first: a new integration should start in the sandbox, where nothing is charged.
ENVIRONMENT_CHOICES = (("test", "Test"), ("live", "Live"))
SCOPE_CHOICES = tuple((scope, scope) for scope in SCOPES)


class CreateKeyForm(ExpiryForm):
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
