"""The console's list of keys: only the user's own, newest first, what each row shows (lookup id,
environment, last use, who revoked), its query count, pagination and relative dates."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys import services
from apikeys.models import ApiKey
from tests.console.helpers import KEYS_URL, full_keys_in, revoke_url, v1_account
from tests.support import MakeKey


def listed_names(response: Any) -> list[str]:
    return re.findall(r'<a class="key-name"[^>]*>([^<]*)</a>', response.content.decode())


def test_it_lists_only_my_keys_newest_first(
    console: Client, alice: User, bob: User, make_key: MakeKey
) -> None:
    make_key(alice, name="first")
    make_key(bob, name="bobs key")
    make_key(alice, name="second")

    response = console.get(KEYS_URL)

    assert listed_names(response) == ["second", "first"]
    assert "bobs key" not in response.content.decode()


def test_the_list_shows_the_stored_lookup_id_and_never_more(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice, "live")

    response = console.get(KEYS_URL)

    html = response.content.decode()
    assert f"{api_key.display_prefix}…" in html
    assert raw_key not in html
    assert raw_key[len(api_key.display_prefix) :][:8] not in html
    assert full_keys_in(response) == []


def test_the_list_shows_an_environment_badge_per_key(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    make_key(alice, "live")
    make_key(alice, "test")
    html = console.get(KEYS_URL).content.decode()
    assert html.count('class="badge badge-live"') == 1
    assert html.count('class="badge badge-test"') == 1


def test_an_unused_key_shows_never_as_last_used(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    make_key(alice)
    html = console.get(KEYS_URL).content.decode()
    assert '<span class="muted">never</span>' in html


def test_a_used_key_shows_when_it_was_last_used(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, raw_key = make_key(alice)
    assert v1_account(raw_key) == 200

    html = console.get(KEYS_URL).content.decode()

    assert '<span class="muted">never</span>' not in html
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None
    assert f'<time datetime="{api_key.last_used_at.isoformat()}"' in html


def test_revoked_keys_stay_listed_with_who_revoked_them_and_when(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice, name="old server")
    console.post(revoke_url(api_key))
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None

    html = console.get(KEYS_URL).content.decode()

    row = html[html.index(f'id="key-{api_key.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "is-revoked" in html
    assert "Revoked" in row
    assert "by you" in row
    assert "alice" not in row
    assert api_key.revoked_at.isoformat() in row
    assert "Revoke…" not in row


def test_a_key_revoked_by_staff_or_a_command_says_clipia_never_who(
    console: Client, alice: User, staff: User, make_key: MakeKey
) -> None:
    by_staff, _ = make_key(alice, name="by staff")
    by_command, _ = make_key(alice, name="by command")
    services.revoke_key(
        by_staff, actor=services.Actor.person(staff, owner_id=alice.pk, client_address=None)
    )
    services.revoke_key(by_command, actor=services.Actor.command("revokeapikey"))

    html = console.get(KEYS_URL).content.decode()

    staff_row = html[html.index(f'id="key-{by_staff.pk}"') :]
    command_row = html[html.index(f'id="key-{by_command.pk}"') :]
    staff_row = staff_row[: staff_row.index("</tr>")]
    command_row = command_row[: command_row.index("</tr>")]
    assert "by Clipia support" in staff_row
    assert "staff staff" not in staff_row
    assert "by Clipia (automated)" in command_row
    assert "manage.py" not in command_row


def test_the_list_costs_the_same_queries_for_one_key_or_many(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    make_key(alice)
    with CaptureQueriesContext(connection) as one:
        assert console.get(KEYS_URL).status_code == 200

    for number in range(12):
        api_key, _ = make_key(alice, name=f"key {number}")
        if number % 3 == 0:
            console.post(revoke_url(api_key))
    with CaptureQueriesContext(connection) as many:
        assert console.get(KEYS_URL).status_code == 200

    assert len(many) == len(one)


def test_the_list_paginates_past_a_page(console: Client, alice: User, make_key: MakeKey) -> None:
    for number in range(22):
        make_key(alice, name=f"key-{number:02d}")

    first = console.get(KEYS_URL)
    second = console.get(f"{KEYS_URL}?page=2")

    assert listed_names(first) == [f"key-{number:02d}" for number in range(21, 1, -1)]
    assert listed_names(second) == ["key-01", "key-00"]
    assert 'href="?page=2" rel="next"' in first.content.decode()
    assert 'href="?page=1" rel="prev"' in second.content.decode()


def test_an_out_of_range_page_shows_the_last_page(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    make_key(alice, name="only key")
    response = console.get(f"{KEYS_URL}?page=99")
    assert response.status_code == 200
    assert listed_names(response) == ["only key"]


def test_an_empty_list_invites_a_first_key(console: Client) -> None:
    assert "No API keys yet" in console.get(KEYS_URL).content.decode()


def test_dates_are_relative_with_the_exact_utc_time_in_the_tooltip(
    console: Client, alice: User, make_key: MakeKey
) -> None:
    api_key, _ = make_key(alice)
    ApiKey.objects.filter(pk=api_key.pk).update(
        created_at=timezone.now() - timedelta(hours=3, minutes=5)
    )
    api_key.refresh_from_db()
    html = console.get(KEYS_URL).content.decode()
    exact = api_key.created_at.strftime("%b %-d, %Y, %H:%M UTC")
    assert (
        f'datetime="{api_key.created_at.isoformat()}" title="{exact}">3\xa0hours ago</time>' in html
    )
