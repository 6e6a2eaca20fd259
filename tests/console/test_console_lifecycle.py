"""The console's key lifecycle through HTTP, without JavaScript (full pages) and with htmx
(partials): expiry at creation, what the list says of expiring, expired, exposed and
rolled keys, rolling with a grace, ending the grace, and a key's name and note.
Personas: alice signs in, bob is another customer. The clock is moved, never slept on."""

from __future__ import annotations

import json
import logging
import re
import secrets
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from apikeys import rolling, services
from apikeys.models import ApiKey, ApiKeyEvent
from tests.support import FULL_KEY, MakeKey

KEYS_URL = "/developer/api-keys/"
HTMX = {"HX-Request": "true"}


def token() -> str:
    """A fresh single-use form token, as each rendered create or roll form carries."""
    return secrets.token_urlsafe(18)


OWNER = services.Actor.command("tests")


def text_of(response: Any) -> str:
    """What a reader sees: the markup's text, whitespace collapsed."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(html)).strip()


def create(client: Client, headers: dict[str, str] | None = None, **data: Any) -> Any:
    form = {
        "name": "Render server",
        "environment": "test",
        "scopes": ["generate", "read"],
        "form_token": token(),
    }
    form.update(data)
    return client.post(KEYS_URL, form, headers=headers or {})


def move_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def v1_account(raw_key: str) -> int:
    return Client().get("/v1/account", headers={"Authorization": f"Bearer {raw_key}"}).status_code


def roll_url(api_key: ApiKey) -> str:
    return f"{KEYS_URL}{api_key.pk}/roll/"


def end_grace_url(api_key: ApiKey) -> str:
    return f"{KEYS_URL}{api_key.pk}/end-grace/"


def edit_url(api_key: ApiKey) -> str:
    return f"{KEYS_URL}{api_key.pk}/edit/"


# Expiry at creation


@pytest.mark.parametrize("days", [7, 30, 90])
def test_a_key_can_be_created_to_expire_in_so_many_days(
    console: Client, alice: User, days: int
) -> None:
    before = timezone.now()
    response = create(console, expires=str(days))

    assert response.status_code == 201
    api_key = ApiKey.objects.get(owner=alice)
    assert api_key.expires_at is not None
    assert (
        before + timedelta(days=days) <= api_key.expires_at <= timezone.now() + timedelta(days=days)
    )


def test_a_key_created_without_an_expiry_never_expires(console: Client, alice: User) -> None:
    assert create(console).status_code == 201
    assert ApiKey.objects.get(owner=alice).expires_at is None
    assert create(console, expires="never").status_code == 201


def test_a_key_can_work_through_a_chosen_date(console: Client, alice: User) -> None:
    last_day = (timezone.now() + timedelta(days=200)).astimezone(UTC).date()

    response = create(console, expires="date", expires_on=last_day.isoformat())

    assert response.status_code == 201
    expires_at = ApiKey.objects.get(owner=alice).expires_at
    assert expires_at == datetime.combine(last_day + timedelta(days=1), datetime.min.time(), UTC)


@pytest.mark.parametrize(
    ("expires_on", "message"),
    [
        ("far", "Enter a date as YYYY-MM-DD."),
        ("", "Choose the date the key expires."),
        ("past", services.EXPIRY_IN_PAST),
        ("too-far", services.EXPIRY_TOO_FAR),
    ],
)
def test_a_bad_date_is_refused_and_what_was_typed_stays(
    console: Client, alice: User, expires_on: str, message: str
) -> None:
    today = timezone.now().astimezone(UTC).date()
    typed = {
        "past": (today - timedelta(days=1)).isoformat(),
        "too-far": (today + timedelta(days=367)).isoformat(),
    }.get(expires_on, expires_on)

    response = create(
        console, name="Typed name", environment="live", expires="date", expires_on=typed
    )

    assert response.status_code == 422
    assert message in text_of(response)
    html = response.content.decode()
    assert 'value="Typed name"' in html
    assert 'name="expires_on" id="id_expires_on"' in html and f'value="{typed}"' in html
    assert re.search(r'value="date"[^>]*\n?\s*checked', html)
    assert re.search(r'value="live"[^>]*\n?\s*checked', html)
    assert not ApiKey.objects.filter(owner=alice).exists()


def test_an_htmx_create_with_a_bad_date_swaps_the_form_with_its_message(
    console: Client, alice: User
) -> None:
    response = create(console, headers=HTMX, expires="date", expires_on="")

    assert response.status_code == 422
    assert "Choose the date the key expires." in text_of(response)
    assert 'id="create-area"' in response.content.decode()
    assert "<html" not in response.content.decode()


def test_a_signed_out_create_comes_back_with_the_expiry_typed(alice: User) -> None:
    client = Client()
    response = create(client, headers=HTMX, expires="date", expires_on="2027-03-04")

    client.force_login(alice)
    page = client.get(unquote(response["HX-Redirect"].split("next=", 1)[1])).content.decode()

    assert re.search(r'value="date"[^>]*\n?\s*checked', page)
    assert 'value="2027-03-04"' in page
    assert not ApiKey.objects.exists()


# What the list says


def test_a_key_expiring_within_a_week_is_flagged_with_its_time_left(
    console: Client, alice: User
) -> None:
    now = timezone.now()
    services.create_key(
        owner=alice,
        name="Soon",
        environment="test",
        actor=OWNER,
        expires_at=now + timedelta(days=3, hours=2),
    )
    services.create_key(
        owner=alice,
        name="Later",
        environment="test",
        actor=OWNER,
        expires_at=now + timedelta(days=30, hours=2),
    )

    page = text_of(console.get(KEYS_URL))

    assert "Soon" in page and "Active Expires soon: expires in 3 days" in page
    assert "Active expires in 4 weeks" in page
    assert page.count("Expires soon") == 1


def test_an_expired_key_shows_as_expired_not_revoked(
    console: Client, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    api_key, _ = services.create_key(
        owner=alice,
        name="Short-lived",
        environment="test",
        actor=OWNER,
        expires_at=now + timedelta(days=7),
    )
    move_clock(monkeypatch, now + timedelta(days=8))

    response = console.get(KEYS_URL)

    page = text_of(response)
    assert "Short-lived" in page and "Expired" in page
    assert "Revoked" not in page and "expires in" not in page
    assert f'href="{roll_url(api_key)}"' not in response.content.decode()  # nothing to roll


def test_a_key_revoked_after_a_public_report_shows_as_exposed(
    console: Client, live_key: tuple[ApiKey, str]
) -> None:
    row, raw_key = live_key
    report = Client().post(
        "/v1/keys/revoke", data=json.dumps({"keys": [raw_key]}), content_type="application/json"
    )
    assert report.status_code == 202

    page = text_of(console.get(KEYS_URL))

    revoked_on = ApiKey.objects.get(pk=row.pk).revoked_at
    assert revoked_on is not None
    on = f"{revoked_on:%b} {revoked_on.day}, {revoked_on.year}"
    assert f"Exposed — revoked on {on} after a public report" in page


def test_a_key_revoked_by_its_owner_is_not_called_exposed(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    services.revoke_key(row, actor=OWNER)
    page = text_of(console.get(KEYS_URL))
    assert "Revoked" in page and "Exposed" not in page


def test_a_rolled_key_in_its_grace_shows_when_its_old_secret_was_last_used(
    console: Client, test_key: tuple[ApiKey, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    row, old_key = test_key
    rolling.roll_key(row, grace=timedelta(hours=24), actor=OWNER)

    assert "old secret last used never" in text_of(console.get(KEYS_URL))

    now = timezone.now()
    assert v1_account(old_key) == 200  # the old secret, still in its grace
    move_clock(monkeypatch, now + timedelta(minutes=3, seconds=5))
    response = console.get(KEYS_URL)

    assert "old secret last used 3 minutes ago" in text_of(response)
    assert f'action="{end_grace_url(row)}"' in response.content.decode()
    assert "End grace now" in text_of(response)


def test_when_the_old_secret_retires_the_row_says_so_for_a_day_and_the_owner_is_told(
    console: Client,
    test_key: tuple[ApiKey, str],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Issue 17: the row said only "Active" once the old secret had stopped, with no
    trace and no e-mail."""
    from django.core import mail
    from django.core.management import call_command

    row, old_key = test_key
    rolling.roll_key(row, grace=timedelta(hours=1), actor=OWNER)
    deadline = timezone.now() + timedelta(hours=1)

    move_clock(monkeypatch, deadline + timedelta(minutes=5))
    assert v1_account(old_key) == 401
    before_the_job = text_of(console.get(KEYS_URL))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sendkeynotices", stdout=None)
    after_the_job = text_of(console.get(KEYS_URL))
    move_clock(monkeypatch, deadline + timedelta(hours=25))
    next_day = text_of(console.get(KEYS_URL))

    note = "Old secret retired 5 minutes ago — grace ended"
    assert note in before_the_job and note in after_the_job
    assert "Old secret retired" not in next_day
    assert [message.subject for message in mail.outbox] == [
        "The old secret of your Clipia API key “alice test” stopped working"
    ]
    assert "(grace ended)" in mail.outbox[0].body
    assert row.events.filter(kind=ApiKeyEvent.Kind.SECRET_RETIRED, reason="grace ended").exists()


def test_a_roll_that_ends_early_says_so_in_the_row(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    rolling.roll_key(row, grace=timedelta(days=7), quiet_after=timedelta(hours=24), actor=OWNER)

    page = text_of(console.get(KEYS_URL))

    assert "or once it has been silent for 24 hours after the new one is in use" in page


# Rolling


def test_the_roll_page_offers_the_graces(console: Client, test_key: tuple[ApiKey, str]) -> None:
    row, _ = test_key
    response = console.get(roll_url(row))

    assert response.status_code == 200
    page = text_of(response)
    for label in ("End it now", "1 hour", "24 hours", "7 days"):
        assert label in page
    assert "cut short" not in page


def test_the_roll_page_says_the_grace_never_outlives_the_key(console: Client, alice: User) -> None:
    api_key, _ = services.create_key(
        owner=alice,
        name="Expiring",
        environment="test",
        actor=OWNER,
        expires_at=timezone.now() + timedelta(days=2),
    )
    page = text_of(console.get(roll_url(api_key)))

    assert "the old secret never works past that" in page
    assert page.count("cut short, the key itself expires") == 1  # only 7 days is cut short


def test_rolling_shows_the_new_key_once_and_keeps_the_old_one_for_its_grace(
    console: Client, test_key: tuple[ApiKey, str], caplog: pytest.LogCaptureFixture
) -> None:
    row, old_key = test_key
    caplog.set_level(logging.DEBUG)

    response = console.post(roll_url(row), {"form_token": token(), "grace": "1h"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = FULL_KEY.findall(response.content.decode())
    new_key = shown[0]
    assert set(shown) == {new_key} and new_key != old_key
    assert new_key.startswith(row.display_prefix)  # same key, same prefix
    page = text_of(response)
    assert "Store it now; it will not be shown again." in page
    row.refresh_from_db()
    assert row.previous_expires_at is not None
    ends = row.previous_expires_at
    assert f"The old secret keeps working until {ends:%b} {ends.day}, {ends:%Y %H:%M} UTC" in page
    assert v1_account(new_key) == 200 and v1_account(old_key) == 200
    assert ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.ROLLED).count() == 1
    # Nowhere else: not in the session, messages, a log line, or the next page.
    assert new_key not in json.dumps(dict(console.session.items()), default=str)
    assert new_key not in caplog.text
    assert not FULL_KEY.search(console.get(roll_url(row)).content.decode())
    assert not FULL_KEY.search(console.get(KEYS_URL).content.decode())


def test_the_roll_form_offers_an_early_end_off_by_default_and_states_the_one_chosen(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    form = console.get(roll_url(row)).content.decode()
    assert re.search(r'name="early_end" value=""[^>]*checked', form)

    response = console.post(
        roll_url(row), {"form_token": token(), "grace": "7d", "early_end": "1h"}
    )

    row.refresh_from_db()
    assert row.previous_quiet_after == timedelta(hours=1)
    assert (
        "or sooner once the new one is in use and the old one has been silent for 1 hour, "
        "as you chose" in text_of(response)
    )


def test_rolling_is_rate_limited_per_user_like_creating(
    console: Client, test_key: tuple[ApiKey, str], settings: Any
) -> None:
    """Issue 18: each roll costs an Argon2id hash and two audit rows; 40 in 20 s all
    succeeded."""
    settings.APIKEYS_CONSOLE_ROLL_LIMIT = 2
    row, _ = test_key
    for _ in range(2):
        assert (
            console.post(roll_url(row), {"form_token": token(), "grace": "1h"}).status_code == 200
        )
    rolled_at = ApiKey.objects.get(pk=row.pk).rolled_at

    refused = console.post(roll_url(row), {"form_token": token(), "grace": "1h"})

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Too many rolls in a short time." in text_of(refused)
    assert ApiKey.objects.get(pk=row.pk).rolled_at == rolled_at


def test_rolling_with_no_grace_retires_the_old_secret_at_once(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, old_key = test_key

    response = console.post(roll_url(row), {"form_token": token(), "grace": "now"})

    assert response.status_code == 200
    assert "The old secret stopped working at once" in text_of(response)
    assert v1_account(old_key) == 401
    assert v1_account(FULL_KEY.findall(response.content.decode())[0]) == 200


def test_an_htmx_roll_swaps_in_the_new_key_panel(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key

    response = console.post(roll_url(row), {"form_token": token(), "grace": "24h"}, headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="roll-area"' in html and 'id="new-key"' in html
    assert "no-store" in response["Cache-Control"]
    assert "rolled. Copy the new key now" in text_of(response)
    assert len(set(FULL_KEY.findall(html))) == 1


def test_a_grace_must_be_chosen(console: Client, test_key: tuple[ApiKey, str]) -> None:
    row, old_key = test_key
    response = console.post(roll_url(row), {"form_token": token(), "grace": "forever"})
    assert response.status_code == 422
    assert "Choose how long the old secret keeps working." in text_of(response)
    assert not FULL_KEY.search(response.content.decode())
    assert not ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.ROLLED).exists()


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_revoked_key_cannot_be_rolled(
    console: Client, test_key: tuple[ApiKey, str], headers: dict[str, str]
) -> None:
    row, _ = test_key
    services.revoke_key(row, actor=OWNER)
    listing = console.get(KEYS_URL).content.decode()
    assert f'href="{roll_url(row)}"' not in listing

    response = console.post(roll_url(row), {"form_token": token(), "grace": "1h"}, headers=headers)

    assert response.status_code == 409
    assert "is revoked, so it cannot be rolled. Create a new key instead." in text_of(response)
    assert not FULL_KEY.search(response.content.decode())
    assert not ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.ROLLED).exists()


def test_an_expired_key_cannot_be_rolled(
    console: Client, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    api_key, _ = services.create_key(
        owner=alice, name="Old", environment="test", actor=OWNER, expires_at=now + timedelta(days=1)
    )
    move_clock(monkeypatch, now + timedelta(days=2))

    assert "is expired, so it cannot be rolled" in text_of(console.get(roll_url(api_key)))
    response = console.post(roll_url(api_key), {"form_token": token(), "grace": "1h"})

    assert response.status_code == 409
    assert "is expired, so it cannot be rolled" in text_of(response)
    assert not ApiKeyEvent.objects.filter(api_key=api_key, kind=ApiKeyEvent.Kind.ROLLED).exists()


@pytest.mark.parametrize("path", ["roll/", "end-grace/", "edit/"])
def test_cannot_touch_another_customers_key(
    console: Client, bob: User, make_key: MakeKey, path: str
) -> None:
    bobs_key, _ = make_key(bob, name="Bob's")
    assert console.get(f"{KEYS_URL}{bobs_key.pk}/{path}").status_code == 404
    response = console.post(
        f"{KEYS_URL}{bobs_key.pk}/{path}", {"form_token": token(), "grace": "now", "name": "Mine"}
    )
    assert response.status_code == 404
    bobs_key.refresh_from_db()
    assert bobs_key.name == "Bob's" and bobs_key.rolled_at is None


# Ending the grace


def test_ending_the_grace_without_javascript_retires_the_old_secret(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, old_key = test_key
    _, new_key = rolling.roll_key(row, grace=timedelta(days=7), actor=OWNER)
    confirm_page = console.get(end_grace_url(row))
    assert "End the grace of “alice test” now?" in text_of(confirm_page)

    response = console.post(end_grace_url(row), follow=True)

    assert response.redirect_chain == [(KEYS_URL, 302)]
    page = text_of(response)
    assert "The old secret of “alice test” is retired. Requests with it now get 401." in page
    assert "End grace now" not in page and "old secret last used" not in page
    assert v1_account(old_key) == 401 and v1_account(new_key) == 200
    retired = ApiKeyEvent.objects.get(api_key=row, kind=ApiKeyEvent.Kind.SECRET_RETIRED)
    assert retired.reason == rolling.ENDED_BY_OWNER and retired.actor_kind == "owner"


def test_ending_the_grace_with_htmx_swaps_the_row(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, old_key = test_key
    rolling.roll_key(row, grace=timedelta(hours=1), actor=OWNER)

    response = console.post(end_grace_url(row), headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<tr") and "<html" not in html
    assert "End grace now" not in html.split('id="announcer"')[0]
    assert "is retired" in text_of(response)
    assert v1_account(old_key) == 401


def test_ending_a_grace_that_is_over_changes_nothing(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    response = console.post(end_grace_url(row), follow=True)
    assert "has no old secret in its grace period" in text_of(response)
    assert not ApiKeyEvent.objects.filter(
        api_key=row, kind=ApiKeyEvent.Kind.SECRET_RETIRED
    ).exists()


# Name and note


def test_a_key_is_renamed_and_noted_without_javascript(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, raw_key = test_key
    hashed = ApiKey.objects.get(pk=row.pk).hashed_key
    assert 'value="alice test"' in console.get(edit_url(row)).content.decode()

    response = console.post(
        edit_url(row),
        {"name": "Renderer", "note": "Vault: prod/render; run by the video team"},
        follow=True,
    )

    assert response.redirect_chain == [(KEYS_URL, 302)]
    page = text_of(response)
    assert "Saved “Renderer”." in page and "Vault: prod/render; run by the video team" in page
    row.refresh_from_db()
    assert (row.name, row.note) == ("Renderer", "Vault: prod/render; run by the video team")
    assert row.hashed_key == hashed and v1_account(raw_key) == 200  # the secret is untouched
    event = ApiKeyEvent.objects.get(api_key=row, kind=ApiKeyEvent.Kind.RENAMED)
    assert event.reason == "“alice test” → “Renderer”; note changed"
    assert event.actor_kind == "owner"


def test_renaming_from_the_key_page_goes_back_to_it(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    key_page = f"{KEYS_URL}{row.pk}/"
    assert f'href="{edit_url(row)}?from=key"' in console.get(key_page).content.decode()
    form = console.get(f"{edit_url(row)}?from=key").content.decode()
    assert 'name="return_to" value="key"' in form

    response = console.post(
        edit_url(row), {"name": "alice test", "note": "CI runner", "return_to": "key"}, follow=True
    )

    assert response.redirect_chain == [(key_page, 302)]
    assert "CI runner" in text_of(response)


def test_an_empty_name_is_refused_and_the_note_typed_stays(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    response = console.post(edit_url(row), {"name": "  ", "note": "kept"})

    assert response.status_code == 422
    assert "Give the key a name." in text_of(response)
    assert ">kept</textarea>" in response.content.decode()
    row.refresh_from_db()
    assert row.name == "alice test" and row.note == ""
    assert not ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.RENAMED).exists()


def test_a_note_too_long_is_refused(console: Client, test_key: tuple[ApiKey, str]) -> None:
    row, _ = test_key
    response = console.post(edit_url(row), {"name": "alice test", "note": "x" * 1001})
    assert response.status_code == 422
    assert services.NOTE_TOO_LONG in text_of(response)


def test_saving_the_same_name_and_note_records_nothing(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, _ = test_key
    response = console.post(edit_url(row), {"name": "alice test", "note": ""}, follow=True)
    assert "Nothing changed." in text_of(response)
    assert not ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.RENAMED).exists()


def test_renaming_in_place_with_htmx(console: Client, test_key: tuple[ApiKey, str]) -> None:
    row, _ = test_key

    editing = console.get(edit_url(row), headers=HTMX)
    assert editing.status_code == 200
    assert editing.content.decode().lstrip().startswith("<tr")
    assert f'hx-post="{edit_url(row)}"' in editing.content.decode()

    refused = console.post(edit_url(row), {"name": ""}, headers=HTMX)
    assert refused.status_code == 422 and "Give the key a name." in text_of(refused)

    saved = console.post(edit_url(row), {"name": "Worker", "note": "k8s secret"}, headers=HTMX)
    assert saved.status_code == 200
    html = saved.content.decode()
    assert html.lstrip().startswith("<tr") and "Worker" in html and "k8s secret" in html
    assert "Saved “Worker”." in text_of(saved)

    cancelled = console.get(f"{edit_url(row)}?cancel", headers=HTMX)
    assert cancelled.content.decode().lstrip().startswith("<tr")
    assert "Edit…" in text_of(cancelled)


def test_rolling_again_during_a_grace_says_the_older_secret_retires(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, first_key = test_key
    rolling.roll_key(row, grace=timedelta(days=7), actor=OWNER)
    assert "rolling again retires it at once" in text_of(console.get(roll_url(row)))

    assert console.post(roll_url(row), {"form_token": token(), "grace": "1h"}).status_code == 200

    assert v1_account(first_key) == 401


def test_the_key_page_names_an_exposed_key(console: Client, live_key: tuple[ApiKey, str]) -> None:
    row, raw_key = live_key
    Client().post(
        "/v1/keys/revoke", data=json.dumps({"keys": [raw_key]}), content_type="application/json"
    )
    page = text_of(console.get(f"{KEYS_URL}{row.pk}/"))
    assert "Exposed — revoked on" in page and "after a public report" in page
    assert "Roll…" not in page


def test_a_reload_that_re_posts_the_roll_does_not_roll_again(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, old_key = test_key
    form = {"form_token": token(), "grace": "24h"}
    first = console.post(roll_url(row), form)
    new_key = FULL_KEY.findall(first.content.decode())[0]

    replay = console.post(roll_url(row), form)  # what a reload without JavaScript sends

    assert replay.status_code == 409
    assert "This form was already used — the key was rolled" in text_of(replay)
    assert not FULL_KEY.search(replay.content.decode())
    assert ApiKeyEvent.objects.filter(api_key=row, kind=ApiKeyEvent.Kind.ROLLED).count() == 1
    assert v1_account(old_key) == 200 and v1_account(new_key) == 200


def test_an_old_secret_retired_after_a_public_report_is_named_on_the_row(
    console: Client, test_key: tuple[ApiKey, str]
) -> None:
    row, old_key = test_key
    _, new_key = rolling.roll_key(row, grace=timedelta(days=7), actor=OWNER)
    Client().post(
        "/v1/keys/revoke", data=json.dumps({"keys": [old_key]}), content_type="application/json"
    )

    page = text_of(console.get(KEYS_URL))

    today = timezone.now()
    assert f"Old secret exposed — retired on {today:%b} {today.day}, {today.year}" in page
    assert "Active" in page and "End grace now" not in page
    assert v1_account(new_key) == 200
    # Rolling again starts afresh: the note belongs to the roll it ended.
    rolling.roll_key(row, grace=timedelta(0), actor=OWNER)
    assert "Old secret exposed" not in text_of(console.get(KEYS_URL))
