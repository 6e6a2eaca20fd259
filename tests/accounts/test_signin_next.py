"""Where signing in lands: the console, when next is the sign-in page itself; any other next
is followed."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from tests.accounts.helpers import CONSOLE_LOGIN
from tests.support import PASSWORD


def test_a_signed_in_user_sent_to_sign_in_with_next_the_sign_in_page_lands_in_the_console(
    alice: User,
) -> None:
    client = Client()
    client.force_login(alice)

    response = client.get(f"{CONSOLE_LOGIN}?next={CONSOLE_LOGIN}")

    assert response.status_code == 302
    assert response["Location"] == "/developer/"


def test_signing_in_with_next_the_sign_in_page_lands_in_the_console(alice: User) -> None:
    response = Client().post(
        CONSOLE_LOGIN, {"username": "alice", "password": PASSWORD, "next": CONSOLE_LOGIN}
    )

    assert response.status_code == 302
    assert response["Location"] == "/developer/"


def test_a_next_elsewhere_is_still_followed(alice: User) -> None:
    client = Client()
    client.force_login(alice)

    response = client.get(f"{CONSOLE_LOGIN}?next=/developer/api-keys/")

    assert response["Location"] == "/developer/api-keys/"
