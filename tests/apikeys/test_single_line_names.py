"""A key's name is one line (issue 18): a line break in it made the exposure and expiry
e-mails fail with BadHeaderError, so the owner was never told; control characters reached
staff terminals through updateapikey."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from apikeys import services
from apikeys.models import ApiKey
from clipia_console.notifications import sending

OWNER = services.Actor.command("tests")


@pytest.mark.parametrize(
    "name", ["Render\nserver", "Render\rserver", "tab\there", "bell\x07", "a\u2028b"]
)
def test_a_name_with_a_line_break_or_control_character_is_refused(alice: User, name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_key(
            owner=alice, name=name, environment="test", scopes=["read"], actor=OWNER
        )
    assert refused.value.message_dict == {"name": [services.NAME_ONE_LINE]}


def test_renaming_refuses_a_line_break_too(test_key: tuple[ApiKey, str]) -> None:
    row, _ = test_key
    with pytest.raises(ValidationError):
        services.update_name_and_note(row, name="two\nlines", note="", actor=OWNER)


def test_an_old_name_with_a_line_break_still_gets_its_email(
    test_key: tuple[ApiKey, str], django_capture_on_commit_callbacks: Any
) -> None:
    row, _ = test_key
    ApiKey.objects.filter(pk=row.pk).update(name="named\nbefore the rule")
    row.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        sending.claim(row, "exposed", row.created_at, f"Your key “{row.name}” was exposed", "…")

    assert [message.subject for message in mail.outbox] == [
        "Your key “named before the rule” was exposed"
    ]


def test_updateapikey_prints_a_name_with_control_characters_escaped(
    test_key: tuple[ApiKey, str],
) -> None:
    row, _ = test_key
    ApiKey.objects.filter(pk=row.pk).update(name="evil\x1b[2Jname")
    out = StringIO()

    call_command("updateapikey", row.display_prefix, "--pause", stdout=out)

    assert "\x1b" not in out.getvalue()
    assert "evil\\x1b[2Jname" in out.getvalue()
