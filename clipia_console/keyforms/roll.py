"""The roll forms' opt-in early end, shared by the console and the admin: by default the
old secret works until the grace chosen ends; the owner may choose to end it sooner once
the old secret has been silent for an hour or a day (apikeys.rolling)."""

from __future__ import annotations

from datetime import timedelta

from django import forms

from apikeys import rolling

NO_EARLY_END = ""
EARLY_END_CHOICES = (
    (NO_EARLY_END, "No: only when the grace ends"),
    *(
        (name, f"Once it has been silent for {label}")
        for name, label in rolling.QUIET_LABELS.items()
    ),
)


def early_end_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=EARLY_END_CHOICES,
        initial=NO_EARLY_END,
        required=False,
        widget=forms.RadioSelect,
        label="End the grace early",
        help_text="Only once the new secret is in use. Leave it off for clients that call "
        "less often than that, such as nightly jobs.",
        error_messages={"invalid_choice": "Choose when the grace may end early, or leave it off."},
    )


def quiet_after(choice: str | None) -> timedelta | None:
    """The early end a cleaned ``early_end`` value chose: None for none."""
    return rolling.QUIET_CHOICES.get(choice or NO_EARLY_END)
