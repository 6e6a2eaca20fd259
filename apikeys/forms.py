"""The console's form for a new key. It checks what a browser can get wrong; the rules
themselves (name length, environments, scopes, the active-key cap) live in
apikeys.services.create_key, whose errors the view puts back on these fields."""

from __future__ import annotations

from django import forms

from apikeys.models import SCOPES

# Test first: a new integration should start in the sandbox, where nothing is charged.
ENVIRONMENT_CHOICES = (("test", "Test"), ("live", "Live"))
SCOPE_CHOICES = tuple((scope, scope) for scope in SCOPES)


class CreateKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        error_messages={
            "required": "Give the key a name.",
            "max_length": "Key names are at most 100 characters.",
        },
    )
    environment = forms.ChoiceField(
        choices=ENVIRONMENT_CHOICES,
        initial="test",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the live or the test environment.",
            "invalid_choice": "Choose the live or the test environment.",
        },
    )
    scopes = forms.MultipleChoiceField(
        choices=SCOPE_CHOICES,
        initial=list(SCOPES),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one scope.",
            "invalid_choice": "The allowed scopes are exactly generate and read.",
        },
    )
