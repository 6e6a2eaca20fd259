"""The console says why a name is refused: one line, no control characters (issue 18)."""

from __future__ import annotations

from django.test import Client

from apikeys import services
from apikeys.models import ApiKey
from tests.support import KEYS_URL, create_in_console


def test_the_console_says_why_a_name_is_refused(console: Client) -> None:
    response = create_in_console(console, name="two\nlines")
    assert response.status_code == 422
    assert services.NAME_ONE_LINE in response.content.decode()
    assert not ApiKey.objects.exists()
    assert console.get(KEYS_URL).status_code == 200
