"""Rolling from the command line: rollapikey prints the new key alone on its last line, caps
the grace at seven days and ends it early only when asked; sendkeynotices clears finished
graces."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from apikeys import rolling
from apikeys.models import ApiKey, ApiKeyEvent
from tests.apikeys.helpers import ACCOUNT
from tests.apikeys.rolling.helpers import roll
from tests.support import bearer


def test_sendkeynotices_clears_finished_graces_with_the_reason(
    test_key: tuple[ApiKey, str], clock: Any
) -> None:
    row, _ = test_key
    roll(row, timedelta(hours=1))
    clock(timedelta(hours=2))
    out = StringIO()

    call_command("sendkeynotices", stdout=out)
    call_command("sendkeynotices", stdout=StringIO())

    row.refresh_from_db()
    assert row.previous_verifier == "" and row.previous_expires_at is None
    retired = row.events.filter(kind=ApiKeyEvent.Kind.SECRET_RETIRED)
    assert [event.reason for event in retired] == [rolling.GRACE_ENDED]
    assert "1 old secret(s) retired" in out.getvalue()


def test_rollapikey_prints_the_new_key_alone_on_its_last_line(
    api: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, old = test_key
    out, err = StringIO(), StringIO()

    call_command("rollapikey", row.display_prefix, "--grace-minutes", "30", stdout=out, stderr=err)

    new = out.getvalue().strip().splitlines()[-1]
    assert new != old and new.startswith(row.display_prefix)
    assert new not in err.getvalue()
    assert api.get(ACCOUNT, **bearer(new)).status_code == 200
    assert api.get(ACCOUNT, **bearer(old)).status_code == 200


def test_rollapikey_refuses_a_grace_past_seven_days(test_key: tuple[ApiKey, str]) -> None:
    row, _ = test_key

    with pytest.raises(CommandError, match="7 days"):
        call_command("rollapikey", row.display_prefix, "--grace-minutes", "10081")


def test_rollapikey_ends_the_grace_early_only_when_asked_and_never_under_an_hour(
    test_key: tuple[ApiKey, str],
) -> None:
    row, _ = test_key
    with pytest.raises(CommandError, match="60 or more"):
        call_command("rollapikey", row.display_prefix, "--end-early-after-silent-minutes", "15")
    call_command("rollapikey", row.display_prefix, stdout=StringIO(), stderr=StringIO())
    row.refresh_from_db()
    assert row.previous_quiet_after is None

    call_command(
        "rollapikey",
        row.display_prefix,
        "--grace-minutes",
        "1440",
        "--end-early-after-silent-minutes",
        "60",
        stdout=StringIO(),
        stderr=StringIO(),
    )

    row.refresh_from_db()
    assert row.previous_quiet_after == timedelta(hours=1)
